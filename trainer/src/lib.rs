//! MIST trainer: the burn set model, training, ONNX export and evaluation (being written).
