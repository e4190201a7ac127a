fn main() {
    std::process::exit(tripline::cli::main());
}
