//! The large-n head ([`mist::runtime::head`]): its training data, its training and how it is
//! attached to a model file.

pub mod attach;
pub mod data;
pub mod fit;
