// The pipeline hands 1 MiB blocks from the reader thread to workers, which free them:
// glibc's allocator returns such blocks to the kernel on every free, and the munmap
// shootdowns across cores cost more than the parsing (measured: all cores slower than one).
// mimalloc keeps them, as ripgrep keeps jemalloc for musl builds. It is built without
// transparent huge pages (`no_thp` in Cargo.toml; README, Performance).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(tripline::cli::main());
}
