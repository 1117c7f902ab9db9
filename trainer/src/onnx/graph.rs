//! A small builder for ONNX graphs: nodes, initializers, typed graph I/O and `If` branches.

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
    /// A `GRAPH` attribute (an `If` branch, from [`GraphBuilder::branch`]).
    Graph(&'static str, Box<GraphProto>),
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
            Attr::Graph(name, g) => AttributeProto {
                name: name.into(),
                r#type: AttributeType::Graph as i32,
                g: Some(*g),
                ..Default::default()
            },
        }
    }
}

/// Accumulates the nodes and initializers of one graph; node outputs are named after their node.
/// Initializers always go to the top-level graph, where `If` branches see them.
#[derive(Default)]
pub(crate) struct GraphBuilder {
    nodes: Vec<NodeProto>,
    initializers: Vec<TensorProto>,
    inputs: Vec<ValueInfoProto>,
    outputs: Vec<ValueInfoProto>,
    counter: usize,
    scope: String,
}

impl GraphBuilder {
    /// Prefixes the names of the nodes and initializers added from now on with `scope` (so that two
    /// models with the same parameter names can share a graph); `""` for none.
    pub fn set_scope(&mut self, scope: &str) {
        scope.clone_into(&mut self.scope);
    }

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
        let [output] = self.node_outputs(op, hint, inputs, attrs);
        output
    }

    /// Like [`Self::node`], for a node with `N` outputs; returns their names.
    pub fn node_outputs<const N: usize>(
        &mut self,
        op: &str,
        hint: &str,
        inputs: &[&str],
        attrs: Vec<Attr>,
    ) -> [String; N] {
        self.counter += 1;
        let name = format!("{}{hint}/{op}_{}", self.scope, self.counter);
        let outputs: [String; N] = std::array::from_fn(|i| if N == 1 { name.clone() } else { format!("{name}:{i}") });
        self.nodes.push(NodeProto {
            input: inputs.iter().map(|s| (*s).to_owned()).collect(),
            output: outputs.to_vec(),
            name,
            op_type: op.into(),
            attribute: attrs.into_iter().map(Attr::into_proto).collect(),
            ..Default::default()
        });
        outputs
    }

    /// An `If` branch named `name`: the nodes `build` adds (it returns the values to output, float32
    /// of the given `dims`) go into a subgraph; its initializers stay in this graph.
    pub fn branch<const N: usize>(
        &mut self,
        name: &str,
        dims: [&[Dim]; N],
        build: impl FnOnce(&mut Self) -> [String; N],
    ) -> GraphProto {
        let outer = std::mem::take(&mut self.nodes);
        let outputs = build(self);
        let nodes = std::mem::replace(&mut self.nodes, outer);
        GraphProto {
            node: nodes,
            name: name.to_owned(),
            output: outputs.iter().zip(dims).map(|(value, dims)| value_info(value, dims)).collect(),
            ..Default::default()
        }
    }

    /// Adds a float32 initializer (row-major `data` of shape `dims`), once per name; returns its
    /// name.
    pub fn init_f32(&mut self, name: &str, dims: &[usize], data: &[f32]) -> String {
        assert_eq!(
            dims.iter().product::<usize>(),
            data.len(),
            "initializer {name}: shape {dims:?} vs {} values",
            data.len()
        );
        self.initializer(name, dims, DataType::Float, data.iter().flat_map(|v| v.to_le_bytes()).collect())
    }

    /// Adds a 1-D int64 constant initializer (shapes, axes), once per name; returns its name.
    pub fn init_i64(&mut self, name: &str, data: &[i64]) -> String {
        self.initializer(name, &[data.len()], DataType::Int64, data.iter().flat_map(|v| v.to_le_bytes()).collect())
    }

    /// Adds initializer `name` (in the current scope) unless it exists; it must then hold the same
    /// values (so writing a model twice, into two `If` branches, shares its weights).
    fn initializer(&mut self, name: &str, dims: &[usize], data_type: DataType, raw_data: Vec<u8>) -> String {
        let name = format!("{}{name}", self.scope);
        if let Some(t) = self.initializers.iter().find(|t| t.name == name) {
            assert!(t.raw_data == raw_data, "initializer {name} defined twice with different values");
            return name;
        }
        self.initializers.push(TensorProto {
            name: name.clone(),
            dims: dims.iter().map(|&d| d as i64).collect(),
            data_type: data_type as i32,
            raw_data,
            ..Default::default()
        });
        name
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
