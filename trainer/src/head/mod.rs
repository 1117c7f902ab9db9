//! The large-n head ([`mist::runtime::head`]): its training data, its training, its errors by
//! dimension band and how it is attached to a model file.

pub mod attach;
pub mod check;
pub mod data;
pub mod fit;
