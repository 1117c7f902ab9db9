//! The estimator a model file holds: a main model and, optionally, a rows-only expert (a model that
//! never reads summary features) answering for the datasets below the main model's summary gate,
//! `n < k · (dx + dy)`, where the main model sees only rows anyway and a model trained that way
//! does better.

use burn::tensor::backend::Backend;
use burn::tensor::cast::ToElement;
use mist::summary::DIMS_PER_ROW;

use crate::model::{MistModel, MistModelConfig, ModelInput, ModelOutput};

/// A model and the hyper-parameters it was built with.
#[derive(Debug)]
pub struct Expert<B: Backend> {
    /// The trained model.
    pub model: MistModel<B>,
    /// Its hyper-parameters.
    pub config: MistModelConfig,
}

/// A main model, and a rows-only expert where the main model's summary gate is closed.
#[derive(Debug)]
pub struct RoutedModel<B: Backend> {
    /// Answers every dataset, or those at or above the gate when `rows_only` is set.
    pub main: Expert<B>,
    /// Answers the datasets below the main model's gate (`summary[:, DIMS_PER_ROW] > gate`).
    pub rows_only: Option<Expert<B>>,
}

impl<B: Backend> RoutedModel<B> {
    /// One model, no routing.
    pub fn single(model: MistModel<B>, config: MistModelConfig) -> Self {
        Self { main: Expert { model, config }, rows_only: None }
    }

    /// `main` where its summary gate is open, `rows_only` below it.
    ///
    /// # Errors
    /// If `main` has no summary gate, `rows_only` reads summary features, or the two differ in
    /// `max_dx` / `max_dy`.
    pub fn routed(main: Expert<B>, rows_only: Expert<B>) -> Result<Self, String> {
        if main.model.summary_gate.is_none() {
            return Err("routing needs a main model with a summary gate (summary_min_rows_per_dim)".into());
        }
        if rows_only.model.summary_proj.is_some() {
            return Err("the rows-only expert must not read summary features (its config has summary = true)".into());
        }
        let dims = |c: &MistModelConfig| (c.max_dx, c.max_dy);
        if dims(&main.config) != dims(&rows_only.config) {
            return Err(format!(
                "the experts take different dimensions: main max_dx × max_dy = {:?}, rows-only {:?}",
                dims(&main.config),
                dims(&rows_only.config)
            ));
        }
        Ok(Self { main, rows_only: Some(rows_only) })
    }

    /// The largest `(dx + dy) / n` answered by the main model when routed (`1 / k`).
    pub fn gate(&self) -> Option<f32> {
        self.rows_only.as_ref().and(self.main.model.summary_gate)
    }

    /// Runs `input` through the expert each dataset is routed to; a batch routed all one way runs
    /// only that expert, a mixed batch runs both and keeps, per dataset, its expert's output.
    pub fn forward(&self, input: ModelInput<B>) -> ModelOutput<B> {
        let (Some(rows_only), Some(max)) = (&self.rows_only, self.gate()) else {
            return self.main.model.forward(input);
        };
        let batch = input.summary.dims()[0];
        let open = input.summary.clone().slice([0..batch, DIMS_PER_ROW..DIMS_PER_ROW + 1]).lower_equal_elem(max);
        if open.clone().all().into_scalar().to_bool() {
            return self.main.model.forward(input);
        }
        if !open.clone().any().into_scalar().to_bool() {
            return rows_only.model.forward(input);
        }
        let main = self.main.model.forward(input.clone());
        let rows = rows_only.model.forward(input);
        let taus = main.quantiles.dims()[1];
        let mi = rows.mi.mask_where(open.clone().reshape([batch]), main.mi);
        let quantiles = rows.quantiles.mask_where(open.expand([batch, taus]), main.quantiles);
        ModelOutput { mi, quantiles }
    }
}
