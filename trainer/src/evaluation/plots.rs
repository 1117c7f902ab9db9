//! SVG plots of an [`EvalReport`] (plotters, SVG backend only: text is written as SVG `<text>`, so no
//! font library is needed; plotters' built-in estimate lays the labels out).

use super::metrics::error_stats;
use super::{DatasetRecord, EstimatorId, EvalReport, GridName};
use plotters::prelude::*;
use std::path::Path;

type PlotResult = Result<(), Box<dyn std::error::Error>>;

const SIZE: (u32, u32) = (900, 560);
const FONT: &str = "sans-serif";

/// Colours of the estimators and grids.
fn colour(e: EstimatorId) -> RGBColor {
    match e {
        EstimatorId::Model => RGBColor(31, 119, 180),
        EstimatorId::ModelMedian => RGBColor(44, 160, 44),
        EstimatorId::Ksg => RGBColor(214, 39, 40),
        EstimatorId::Gaussian => RGBColor(127, 127, 127),
        EstimatorId::Gcmi => RGBColor(255, 127, 14),
    }
}

fn grid_colour(g: GridName) -> RGBColor {
    match g {
        GridName::Imd => RGBColor(31, 119, 180),
        GridName::Oomd => RGBColor(255, 127, 14),
        GridName::LargeN => RGBColor(148, 103, 189),
        GridName::Dims => RGBColor(140, 86, 75),
        GridName::LowD => RGBColor(23, 190, 207),
        GridName::Validation => RGBColor(44, 160, 44),
        GridName::Everyday => RGBColor(227, 119, 194),
    }
}

/// Draws the series labels of `chart` in a framed box at `position`.
fn legend<'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, CT>,
    position: SeriesLabelPosition,
) -> PlotResult {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font((FONT, 14))
        .draw()?;
    Ok(())
}

/// The plot files [`write_all`] writes for `report`.
pub fn file_names(report: &EvalReport) -> Vec<String> {
    let mut names: Vec<String> =
        report.test_grids.iter().map(|g| format!("mse_vs_n_{}.svg", g.grid.as_str())).collect();
    if !report.test_grids.is_empty() {
        names.push("calibration.svg".to_string());
    }
    if report.has_test_grid() {
        names.push("estimate_vs_truth.svg".to_string());
    }
    names
}

/// Writes every plot of `report` into `dir`.
pub fn write_all(report: &EvalReport, dir: &Path) -> std::io::Result<()> {
    let save = |name: &str, draw: &dyn Fn(&mut String) -> PlotResult| -> std::io::Result<()> {
        let mut svg = String::new();
        draw(&mut svg).map_err(|e| std::io::Error::other(format!("{name}: {e}")))?;
        std::fs::write(dir.join(name), svg)
    };
    for g in &report.test_grids {
        let grid = g.grid;
        save(&format!("mse_vs_n_{}.svg", grid.as_str()), &|svg| mse_vs_n(report, grid, svg))?;
    }
    if !report.test_grids.is_empty() {
        save("calibration.svg", &|svg| calibration(report, svg))?;
    }
    if report.has_test_grid() {
        save("estimate_vs_truth.svg", &|svg| estimate_vs_truth(report, svg))?;
    }
    Ok(())
}

/// MSE per n (log y) of each estimator on one grid. Zero MSE cannot sit on a log axis: those
/// points are left out.
fn mse_vs_n(report: &EvalReport, grid: GridName, svg: &mut String) -> PlotResult {
    let records: Vec<&DatasetRecord> = report.datasets.iter().filter(|r| r.grid == grid).collect();
    let mut ns: Vec<usize> = records.iter().map(|r| r.n).collect();
    ns.sort_unstable();
    ns.dedup();
    let series: Vec<(EstimatorId, Vec<(f64, f64)>)> = EstimatorId::ALL
        .iter()
        .map(|&e| {
            let points = ns
                .iter()
                .filter_map(|&n| {
                    let stats = error_stats(records.iter().filter(|r| r.n == n).map(|r| (r.estimate(e), r.truth)));
                    stats.mse.filter(|m| *m > 0.0 && m.is_finite()).map(|m| (n as f64, m))
                })
                .collect();
            (e, points)
        })
        .collect();
    let ys = series.iter().flat_map(|(_, p)| p.iter().map(|&(_, y)| y));
    let (lo, hi) = ys.fold((f64::INFINITY, 0.0f64), |(lo, hi), y| (lo.min(y), hi.max(y)));
    // Headroom above the data (a third of the decades shown) keeps the legend off the lines.
    let (lo, hi) = if lo.is_finite() { (lo / 2.0, hi * 2.0 * (2.0 * hi / lo).powf(0.35)) } else { (1e-3, 10.0) };
    let x_max = ns.last().copied().unwrap_or(500).max(10) as f64 * 1.03;

    let root = SVGBackend::with_string(svg, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(format!("{}: MSE vs n ({})", grid.title(), report.model_name), (FONT, 22))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..x_max, (lo..hi).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("n (rows)")
        .y_desc("MSE (nats²)")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .label_style((FONT, 14))
        .draw()?;
    for (e, points) in series {
        let c = colour(e);
        // The median head dashed, so it shows where it lies on the point head's line.
        let anno = if e == EstimatorId::ModelMedian {
            chart.draw_series(DashedLineSeries::new(points.iter().copied(), 8, 5, c.stroke_width(2)))?
        } else {
            chart.draw_series(LineSeries::new(points.iter().copied(), c.stroke_width(2)))?
        };
        anno.label(e.label(&report.model_name))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)));
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, c.filled())))?;
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    root.present()?;
    Ok(())
}

/// Calibration curve: τ against the fraction of datasets with true MI ≤ the τ-quantile, one curve
/// per test grid, with the diagonal for reference.
fn calibration(report: &EvalReport, svg: &mut String) -> PlotResult {
    let root = SVGBackend::with_string(svg, (620, 600)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(format!("Calibration of the quantile head ({})", report.model_name), (FONT, 20))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..1.0, 0.0..1.0)?;
    chart
        .configure_mesh()
        .x_desc("τ (quantile level)")
        .y_desc("fraction with true MI ≤ q(τ)")
        .label_style((FONT, 14))
        .draw()?;
    chart
        .draw_series(LineSeries::new([(0.0, 0.0), (1.0, 1.0)], BLACK.mix(0.5).stroke_width(1)))?
        .label("ideal")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.mix(0.5)));
    for g in &report.test_grids {
        let Some(cal) = &g.calibration else { continue };
        let c = grid_colour(g.grid);
        let points: Vec<(f64, f64)> = cal.taus.iter().copied().zip(cal.fractions.iter().copied()).collect();
        chart
            .draw_series(LineSeries::new(points.iter().copied(), c.stroke_width(2)))?
            .label(format!("{} (error {:.3})", g.grid.title(), cal.error))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)));
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, c.filled())))?;
    }
    legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
    root.present()?;
    Ok(())
}

/// Scatter of estimate against true MI on IMD and OoMD: the model (left) and KSG (right).
fn estimate_vs_truth(report: &EvalReport, svg: &mut String) -> PlotResult {
    let records: Vec<&DatasetRecord> = report.datasets.iter().filter(|r| r.grid.is_test_grid()).collect();
    let panels = [EstimatorId::Model, EstimatorId::Ksg];
    let max = records
        .iter()
        .flat_map(|r| [Some(r.truth), r.estimate(panels[0]), r.estimate(panels[1])])
        .flatten()
        .fold(0.0f64, f64::max);
    let top = if max > 0.0 { max * 1.05 } else { 1.0 };

    let root = SVGBackend::with_string(svg, (1200, 600)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(600);
    for (area, e) in [(left, panels[0]), (right, panels[1])] {
        let mut chart = ChartBuilder::on(&area)
            .caption(format!("{} vs true MI", e.label(&report.model_name)), (FONT, 20))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..top, 0.0..top)?;
        chart.configure_mesh().x_desc("true MI (nats)").y_desc("estimate (nats)").label_style((FONT, 14)).draw()?;
        chart
            .draw_series(LineSeries::new([(0.0, 0.0), (top, top)], BLACK.mix(0.5)))?
            .label("y = x")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.mix(0.5)));
        for grid in [GridName::Imd, GridName::Oomd] {
            let c = grid_colour(grid);
            let points: Vec<(f64, f64)> =
                records.iter().filter(|r| r.grid == grid).filter_map(|r| r.estimate(e).map(|v| (r.truth, v))).collect();
            if points.is_empty() {
                continue;
            }
            chart
                .draw_series(points.iter().map(|&p| Circle::new(p, 2, c.mix(0.5).filled())))?
                .label(grid.title())
                .legend(move |(x, y)| Circle::new((x + 10, y), 4, c.filled()));
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
    }
    root.present()?;
    Ok(())
}
