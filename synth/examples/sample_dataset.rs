//! Draws one dataset with known MI from the meta-dataset and writes it as CSV (BMI layout).
//!
//! ```text
//! cargo run --release --example sample_dataset -- "normal sparse-asinh" 1000 2 2 7 > data.csv
//! ```
//! Arguments: FAMILY N DX DY SEED. The true MI (nats) and the drawn parameters go to stderr.

use mist_synth::{Family, Split, sample_family};
use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [family, n, dx, dy, seed] = args.as_slice() else {
        return Err("usage: sample_dataset FAMILY N DX DY SEED".into());
    };
    let family: Family = family.parse()?;
    let s = sample_family(family, n.parse()?, dx.parse()?, dy.parse()?, Split::Validation, seed.parse()?);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let names = (0..s.x.ncols()).map(|j| format!("X{j}")).chain((0..s.y.ncols()).map(|j| format!("Y{j}")));
    writeln!(out, "{}", names.collect::<Vec<_>>().join(","))?;
    for (x, y) in s.x.rows().into_iter().zip(s.y.rows()) {
        let cells: Vec<String> = x.iter().chain(y.iter()).map(|v| v.to_string()).collect();
        writeln!(out, "{}", cells.join(","))?;
    }
    eprintln!("true I(X;Y) = {:.6} nats: {}", s.mi, s.description);
    Ok(())
}
