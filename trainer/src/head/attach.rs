//! Puts a trained head into a model file: the `mist.head.*` metadata of `docs/onnx-contract.md`,
//! replacing any head the file had; the graph and the other metadata stay as they are.

use super::fit::HeadFile;
use crate::onnx::proto::{ModelProto, StringStringEntryProto};
use mist::contract::key;
use prost::Message;

/// `model` (the bytes of an `.onnx` file) with `head` and the line `train` as its head, answering
/// datasets of at least `min_n` rows (`None`: above the model's `max_n` only, the runtime's default).
pub fn attach(model: &[u8], head: &HeadFile, train: &str, min_n: Option<usize>) -> Result<Vec<u8>, String> {
    let mut proto = ModelProto::decode(model).map_err(|e| format!("not an ONNX model: {e}"))?;
    let keys = [key::HEAD_WIDTHS, key::HEAD_WEIGHTS, key::HEAD_TRAIN, key::HEAD_MIN_N];
    proto.metadata_props.retain(|p| !keys.contains(&p.key.as_str()));
    let values =
        [Some(head.widths.clone()), Some(head.weights.clone()), Some(train.to_string()), min_n.map(|n| n.to_string())];
    for (key, value) in keys.into_iter().zip(values) {
        if let Some(value) = value {
            proto.metadata_props.push(StringStringEntryProto { key: key.into(), value });
        }
    }
    Ok(proto.encode_to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attaching_twice_keeps_one_head_and_the_rest_of_the_model() {
        let model = ModelProto {
            ir_version: 8,
            metadata_props: vec![StringStringEntryProto { key: "mist.format".into(), value: "1".into() }],
            ..Default::default()
        };
        let head = |w: &str| HeadFile { widths: "20,4".into(), weights: w.into() };
        let once = attach(&model.encode_to_vec(), &head("1 2"), "first", Some(10)).unwrap();
        let twice = ModelProto::decode(attach(&once, &head("3 4"), "second", None).unwrap().as_slice()).unwrap();
        let props: Vec<(&str, &str)> =
            twice.metadata_props.iter().map(|p| (p.key.as_str(), p.value.as_str())).collect();
        assert_eq!(
            props,
            [
                ("mist.format", "1"),
                ("mist.head.widths", "20,4"),
                ("mist.head.weights", "3 4"),
                ("mist.head.train", "second")
            ]
        );
        assert_eq!(twice.ir_version, 8);
        assert!(attach(b"not a model", &head("1"), "x", None).is_err());
    }
}
