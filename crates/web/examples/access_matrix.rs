//! Prints the access matrix as Markdown: `cargo run -p resettle-web --example access_matrix`.
fn main() {
    print!("{}", resettle_web::access::matrix_markdown());
}
