//! A small builder for ONNX graphs: nodes with single outputs, initializers and typed graph I/O.

use super::proto::{
    AttributeProto, GraphProto, NodeProto, TensorProto, TensorShapeProto, TypeProto, ValueInfoProto,
    attribute_proto::AttributeType, tensor_proto::DataType, tensor_shape_proto, type_proto,
};

/// One dimension of a graph input or output: fixed, or named and dynamic.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Dim {
    /// A fixed size.
    Fixed(usize),
    /// A dynamic size, named (equal names mean equal sizes).
    Named(&'static str),
}

/// A node attribute.
pub(crate) enum Attr {
    /// An `INT` attribute.
    Int(&'static str, i64),
    /// An `INTS` attribute.
    Ints(&'static str, Vec<i64>),
    /// A `FLOAT` attribute.
    Float(&'static str, f32),
}

impl Attr {
    fn into_proto(self) -> AttributeProto {
        match self {
            Attr::Int(name, i) => {
                AttributeProto { name: name.into(), r#type: AttributeType::Int as i32, i, ..Default::default() }
            }
            Attr::Ints(name, ints) => {
                AttributeProto { name: name.into(), r#type: AttributeType::Ints as i32, ints, ..Default::default() }
            }
            Attr::Float(name, f) => {
                AttributeProto { name: name.into(), r#type: AttributeType::Float as i32, f, ..Default::default() }
            }
        }
    }
}

/// Accumulates the nodes and initializers of one graph; every node has one output, named after the
/// node.
#[derive(Default)]
pub(crate) struct GraphBuilder {
    nodes: Vec<NodeProto>,
    initializers: Vec<TensorProto>,
    inputs: Vec<ValueInfoProto>,
    outputs: Vec<ValueInfoProto>,
    counter: usize,
}

impl GraphBuilder {
    /// Declares a float32 graph input named `name`; returns the name.
    pub fn input(&mut self, name: &str, dims: &[Dim]) -> String {
        self.inputs.push(value_info(name, dims));
        name.to_owned()
    }

    /// Declares `value` as the float32 graph output named `name` (an `Identity` renames it).
    pub fn output(&mut self, value: &str, name: &str, dims: &[Dim]) {
        self.nodes.push(NodeProto {
            input: vec![value.to_owned()],
            output: vec![name.to_owned()],
            name: name.to_owned(),
            op_type: "Identity".into(),
            ..Default::default()
        });
        self.outputs.push(value_info(name, dims));
    }

    /// Adds node `op(inputs)` with `attrs`; `hint` names it (made unique); returns its output name.
    pub fn node(&mut self, op: &str, hint: &str, inputs: &[&str], attrs: Vec<Attr>) -> String {
        self.counter += 1;
        let name = format!("{hint}/{op}_{}", self.counter);
        self.nodes.push(NodeProto {
            input: inputs.iter().map(|s| (*s).to_owned()).collect(),
            output: vec![name.clone()],
            name: name.clone(),
            op_type: op.into(),
            attribute: attrs.into_iter().map(Attr::into_proto).collect(),
            ..Default::default()
        });
        name
    }

    /// Adds a float32 initializer (row-major `data` of shape `dims`); returns its name.
    pub fn init_f32(&mut self, name: &str, dims: &[usize], data: &[f32]) -> String {
        assert_eq!(
            dims.iter().product::<usize>(),
            data.len(),
            "initializer {name}: shape {dims:?} vs {} values",
            data.len()
        );
        self.initializers.push(TensorProto {
            name: name.to_owned(),
            dims: dims.iter().map(|&d| d as i64).collect(),
            data_type: DataType::Float as i32,
            raw_data: data.iter().flat_map(|v| v.to_le_bytes()).collect(),
            ..Default::default()
        });
        name.to_owned()
    }

    /// Like [`Self::init_f32`], but a constant shared by several nodes: added once per name.
    pub fn init_f32_once(&mut self, name: &str, dims: &[usize], data: &[f32]) -> String {
        if self.initializers.iter().any(|t| t.name == name) {
            return name.to_owned();
        }
        self.init_f32(name, dims, data)
    }

    /// Adds a 1-D int64 constant initializer (shapes, axes), once per name; returns its name.
    pub fn init_i64(&mut self, name: &str, data: &[i64]) -> String {
        if let Some(t) = self.initializers.iter().find(|t| t.name == name) {
            let bytes: Vec<u8> = data.iter().flat_map(|v| v.to_le_bytes()).collect();
            assert_eq!(t.raw_data, bytes, "constant {name} defined twice with different values");
            return name.to_owned();
        }
        self.initializers.push(TensorProto {
            name: name.to_owned(),
            dims: vec![data.len() as i64],
            data_type: DataType::Int64 as i32,
            raw_data: data.iter().flat_map(|v| v.to_le_bytes()).collect(),
            ..Default::default()
        });
        name.to_owned()
    }

    /// The finished graph.
    pub fn build(self, name: &str) -> GraphProto {
        GraphProto {
            node: self.nodes,
            name: name.to_owned(),
            initializer: self.initializers,
            input: self.inputs,
            output: self.outputs,
            ..Default::default()
        }
    }
}

fn value_info(name: &str, dims: &[Dim]) -> ValueInfoProto {
    use tensor_shape_proto::{Dimension, dimension::Value};
    let dim = dims
        .iter()
        .map(|d| Dimension {
            value: Some(match d {
                Dim::Fixed(n) => Value::DimValue(*n as i64),
                Dim::Named(s) => Value::DimParam((*s).to_owned()),
            }),
            ..Default::default()
        })
        .collect();
    ValueInfoProto {
        name: name.to_owned(),
        r#type: Some(TypeProto {
            value: Some(type_proto::Value::TensorType(type_proto::Tensor {
                elem_type: DataType::Float as i32,
                shape: Some(TensorShapeProto { dim }),
            })),
            ..Default::default()
        }),
        ..Default::default()
    }
}
