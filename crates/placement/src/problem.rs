//! The validated problem in dense form, indexed by position: family `f`,
//! municipality `m`, dimension `k`.

/// Room for rounding when loads are compared with capacities.
pub(crate) const EPS: f64 = 1e-9;

#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub(crate) dims: usize,
    pub(crate) dimension_names: Vec<String>,
    pub(crate) municipality_ids: Vec<String>,
    pub(crate) family_ids: Vec<String>,
    /// `expected[f]`: family `f` comes in a later batch (room is kept for it).
    pub(crate) expected: Vec<bool>,
    /// `capacity[m * dims + k]`.
    pub(crate) capacity: Vec<f64>,
    /// `demand[f * dims + k]`.
    pub(crate) demand: Vec<f64>,
    /// `score[f * municipalities + m]`; NaN where the pair is not allowed.
    pub(crate) score: Vec<f64>,
}

impl Problem {
    pub fn families(&self) -> usize {
        self.family_ids.len()
    }

    pub fn municipalities(&self) -> usize {
        self.municipality_ids.len()
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    pub fn family_id(&self, f: usize) -> &str {
        &self.family_ids[f]
    }

    /// Whether family `f` is expected in a later batch rather than placed now.
    pub fn expected(&self, f: usize) -> bool {
        self.expected.get(f).copied().unwrap_or(false)
    }

    pub fn municipality_id(&self, m: usize) -> &str {
        &self.municipality_ids[m]
    }

    pub fn dimension_name(&self, k: usize) -> &str {
        &self.dimension_names[k]
    }

    pub fn capacity(&self, m: usize) -> &[f64] {
        &self.capacity[m * self.dims..(m + 1) * self.dims]
    }

    pub fn demand(&self, f: usize) -> &[f64] {
        &self.demand[f * self.dims..(f + 1) * self.dims]
    }

    /// The score of placing family `f` in municipality `m`, or `None` where
    /// that pair is not allowed.
    pub fn score(&self, f: usize, m: usize) -> Option<f64> {
        let s = self.score[f * self.municipalities() + m];
        (!s.is_nan()).then_some(s)
    }

    /// Whether a family with this demand fits in the room left.
    pub(crate) fn fits(&self, f: usize, load: &[f64], m: usize) -> bool {
        let d = self.demand(f);
        let c = self.capacity(m);
        let l = &load[m * self.dims..(m + 1) * self.dims];
        (0..self.dims).all(|k| l[k] + d[k] <= c[k] + EPS)
    }
}
