//! Small helpers for validating free text fields.

/// Trims `raw` and checks it is non-empty and at most `max` characters.
pub(crate) fn bounded(raw: &str, max: usize) -> Result<String, String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err("must not be empty".into());
    }
    if trimmed.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if trimmed.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    if trimmed.chars().any(is_direction_control) {
        return Err("must not contain direction overrides or isolates".into());
    }
    Ok(trimmed.to_string())
}

/// Unicode direction overrides and isolates: they make a text read otherwise
/// than it is stored (a name shown reversed to the next reader).
fn is_direction_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether a free text keeps to `max` characters, with no control or
/// direction characters (empty is the caller's concern).
pub(crate) fn within(raw: &str, max: usize) -> bool {
    raw.chars().count() <= max
        && !raw
            .chars()
            .any(|c| c.is_control() || is_direction_control(c))
}
