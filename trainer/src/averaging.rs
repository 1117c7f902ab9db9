//! Weight averaging: moves one model's parameters toward another's, for the exponential moving
//! average of the weights that a run validates and saves as its best model (Polyak averaging).

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::tensor::Tensor;
use burn::tensor::backend::Backend;

/// Returns `average + weight · (model − average)`, parameter by parameter. The two must be the
/// same module type built from the same config (their parameters are paired in visiting order).
pub fn blend<B: Backend, M: Module<B>>(average: M, model: &M, weight: f64) -> M {
    let mut collect = Collect(Vec::new());
    model.visit(&mut collect);
    let mut mix = TowardTargets { targets: collect.0.into_iter(), weight };
    average.map(&mut mix)
}

/// Every float parameter of a module, flattened, in visiting order.
struct Collect<B: Backend>(Vec<Tensor<B, 1>>);

impl<B: Backend> ModuleVisitor<B> for Collect<B> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
        let tensor = param.val();
        let len = tensor.shape().num_elements();
        self.0.push(tensor.reshape([len]));
    }
}

/// Moves each visited parameter toward the next collected one.
struct TowardTargets<B: Backend> {
    targets: std::vec::IntoIter<Tensor<B, 1>>,
    weight: f64,
}

impl<B: Backend> ModuleMapper<B> for TowardTargets<B> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<B, D>>) -> Param<Tensor<B, D>> {
        let target = self.targets.next().expect("blend: both models come from the same config");
        param.map(|average| {
            let target = target.reshape(average.shape());
            average.clone() + (target - average) * self.weight
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::backend::NdArray;
    use burn::nn::{Linear, LinearConfig};

    fn weights(layer: &Linear<NdArray>) -> Vec<f32> {
        let mut all = layer.weight.val().into_data().to_vec::<f32>().unwrap();
        all.extend(layer.bias.as_ref().unwrap().val().into_data().to_vec::<f32>().unwrap());
        all
    }

    #[test]
    fn blend_moves_each_parameter_by_the_weight() {
        let device = Default::default();
        let a: Linear<NdArray> = LinearConfig::new(3, 2).init(&device);
        let b: Linear<NdArray> = LinearConfig::new(3, 2).init(&device);
        let (wa, wb) = (weights(&a), weights(&b));
        assert!(wa.iter().zip(&wb).any(|(x, y)| (x - y).abs() > 1e-3), "two inits coincide: the check is blind");
        for weight in [0.0, 0.25, 1.0] {
            let mixed = weights(&blend(a.clone(), &b, weight));
            assert_eq!(mixed.len(), 8);
            for ((m, x), y) in mixed.iter().zip(&wa).zip(&wb) {
                let expected = (1.0 - weight as f32) * x + weight as f32 * y;
                assert!((m - expected).abs() < 1e-6, "weight {weight}: {m}, expected {expected}");
            }
        }
    }
}
