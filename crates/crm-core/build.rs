// The migrations are embedded with include_dir!, which cargo does not track on stable:
// rebuild whenever anything under migrations/ changes, or a new migration would be missed.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
