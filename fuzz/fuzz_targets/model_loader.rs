#![no_main]

use libfuzzer_sys::fuzz_target;
use mist_fuzz::checks;

fuzz_target!(|data: &[u8]| checks::model_loader(data));
