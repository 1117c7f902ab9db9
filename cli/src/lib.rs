//! The `mist` command-line tool's library part: reading datasets from CSV and `.npy` files. It
//! lives beside the CLI rather than in libmist, whose C, R and Julia users pass arrays, not files.

pub mod columns;
pub mod delimiter;
pub mod io;
