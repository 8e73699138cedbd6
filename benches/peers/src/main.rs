//! constnet side by side with dfdx, candle and burn, on the same workloads
//! from the same weights, single-threaded. Checks that every framework
//! computes the same losses and outputs, then prints one markdown table of
//! medians, with ratios and the share of this core's peak f32 throughput.
//!
//! Workload D is the CNN of `examples/mnist.rs`. dfdx 0.13 has no
//! convolution or 2-D pooling on stable Rust (only with its `nightly`
//! feature): its cells say "needs nightly". candle pools with its max
//! reduction, as its own `max_pool2d` passes back a quarter of the gradient
//! (`run_candle.rs`). The plain loops, a floor for the small dense networks,
//! are not written for the CNN.
//!
//! ```sh
//! cd benches/peers && cargo run --release          # every workload
//! cd benches/peers && cargo run --release -- C     # workloads whose name starts with C
//! ```

mod peak;
mod run_burn;
mod run_candle;
mod run_constnet;
mod run_dfdx;
mod run_plain;
mod workload;

use std::hint::black_box;
use std::time::{Duration, Instant};

use run_constnet::Placement;
use workload::{Problem, SPECS, Spec, conventional_flops, flops};

/// A framework set up for a workload, or why it cannot run it (shown in
/// its place in the table).
pub type Setup = Result<Box<dyn Runner>, &'static str>;

/// What each framework offers the comparison.
pub trait Runner {
    /// One step of SGD on the whole batch; the loss (batch mean) before it.
    fn train_step(&mut self) -> f32;
    /// The output for the batch's first sample.
    fn infer(&mut self) -> Vec<f32>;

    fn train_repeatedly(&mut self, times: u64) {
        for _ in 0..times {
            black_box(self.train_step());
        }
    }

    fn infer_repeatedly(&mut self, times: u64) {
        for _ in 0..times {
            black_box(self.infer());
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Framework {
    Constnet(Placement),
    Plain,
    Dfdx,
    Candle,
    Burn(run_burn::Backend),
}

const FRAMEWORKS: [Framework; 7] = [
    Framework::Constnet(Placement::Aligned),
    Framework::Constnet(Placement::Misaligned),
    Framework::Plain,
    Framework::Dfdx,
    Framework::Candle,
    Framework::Burn(run_burn::Backend::NdArray),
    Framework::Burn(run_burn::Backend::Flex),
];

impl Framework {
    fn name(self) -> &'static str {
        match self {
            Framework::Constnet(Placement::Aligned) => "constnet",
            Framework::Constnet(Placement::Misaligned) => "constnet, 16 B off",
            Framework::Plain => "plain loops",
            Framework::Dfdx => "dfdx 0.13",
            Framework::Candle => "candle",
            Framework::Burn(run_burn::Backend::NdArray) => "burn NdArray",
            Framework::Burn(run_burn::Backend::Flex) => "burn Flex",
        }
    }

    /// A peer: a framework a user would pick instead (not the floor of plain loops).
    fn is_peer(self) -> bool {
        !matches!(self, Framework::Constnet(_) | Framework::Plain)
    }

    fn runner(self, spec: &Spec, problem: &Problem) -> Setup {
        match self {
            Framework::Constnet(placement) => Ok(run_constnet::runner(spec, problem, placement)),
            Framework::Plain => run_plain::runner(spec, problem),
            Framework::Dfdx => run_dfdx::runner(spec, problem),
            Framework::Candle => Ok(run_candle::runner(spec, problem)),
            Framework::Burn(backend) => Ok(run_burn::runner(backend, spec, problem)),
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Task {
    Train,
    Infer,
}

/// Steps compared between frameworks before timing.
const CHECKED_STEPS: usize = 3;
/// Timed samples per framework and task, taken in turns so that a change
/// in the machine's load hits every framework alike.
const SAMPLES: usize = 31;
const SAMPLE_TIME: Duration = Duration::from_millis(8);

/// Stack for the comparison: a constnet training step on the CNN keeps
/// what the forward pass computed for all 32 images (1.9 MB) and the
/// gradients flowing back, beyond the 8 MB of a main thread.
const STACK: usize = 256 << 20;

fn main() {
    // One thread everywhere: rayon (dfdx, candle, burn) reads this when it starts.
    // SAFETY: no other thread exists yet.
    unsafe { std::env::set_var("RAYON_NUM_THREADS", "1") };
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(compare)
        .expect("a thread for the comparison")
        .join()
        .expect("the comparison ran to its end");
}

fn compare() {
    let filters: Vec<String> = std::env::args().skip(1).collect();
    let specs: Vec<&Spec> = SPECS
        .iter()
        .filter(|s| filters.is_empty() || filters.iter().any(|f| s.name.starts_with(f.as_str())))
        .collect();

    let (peak, isa) = peak::peak_gflops();
    println!("machine: {}, one thread", cpu_model());
    println!("peak f32 FMA throughput of one core: {peak:.1} GFLOP/s ({isa})\n");

    let mut rows = Vec::new();
    for spec in specs {
        let problem = Problem::new(spec);
        check_agreement(spec, &problem);
        for task in [Task::Train, Task::Infer] {
            if task == Task::Train && !spec.trains {
                continue;
            }
            rows.push(measure(spec, &problem, task));
        }
    }

    println!();
    print_table(&rows, peak);
}

/// Every framework, from the same weights, must produce the constnet's
/// output and the same losses over a few steps (which checks gradients and
/// updates too). Exits with an error otherwise.
fn check_agreement(spec: &Spec, problem: &Problem) {
    let reference = observe(FRAMEWORKS[0], spec, problem).expect("constnet runs every workload");
    let error = |a: f32, b: f32| (a - b).abs() / b.abs().max(1.0);
    let mut worst: f32 = 0.0;
    let mut absent = Vec::new();
    for framework in FRAMEWORKS.into_iter().skip(1) {
        let seen = match observe(framework, spec, problem) {
            Ok(seen) => seen,
            Err(reason) => {
                absent.push(format!("{}: {reason}", framework.name()));
                continue;
            }
        };
        let agrees = seen.len() == reference.len()
            && seen.iter().zip(&reference).all(|(&a, &b)| error(a, b) <= 1e-4); // false for NaN
        if !agrees {
            eprintln!(
                "{}: {} disagrees with constnet:\n  {seen:?}\n  {reference:?}",
                spec.name,
                framework.name()
            );
            std::process::exit(1);
        }
        // Every error is a number here: `f32::max` drops none.
        worst = seen.iter().zip(&reference).map(|(&a, &b)| error(a, b)).fold(worst, f32::max);
    }
    println!(
        "{}: all frameworks agree on the output{} (largest relative difference {worst:.1e}){}",
        spec.name,
        if spec.trains { format!(" and {CHECKED_STEPS} training losses") } else { String::new() },
        if absent.is_empty() { String::new() } else { format!("; not run: {}", absent.join(", ")) }
    );
}

fn observe(framework: Framework, spec: &Spec, problem: &Problem) -> Result<Vec<f32>, &'static str> {
    let mut runner = framework.runner(spec, problem)?;
    let mut seen = runner.infer();
    if spec.trains {
        seen.extend((0..CHECKED_STEPS).map(|_| runner.train_step()));
    }
    Ok(seen)
}

struct Row {
    spec: &'static Spec,
    task: Task,
    /// Median seconds per call, or why there is none: one per framework of
    /// `FRAMEWORKS`.
    medians: Vec<Result<f64, &'static str>>,
}

fn measure(spec: &'static Spec, problem: &Problem, task: Task) -> Row {
    let mut runners: Vec<Setup> = FRAMEWORKS.iter().map(|f| f.runner(spec, problem)).collect();
    let run = |runner: &mut Box<dyn Runner>, times: u64| match task {
        Task::Train => runner.train_repeatedly(times),
        Task::Infer => runner.infer_repeatedly(times),
    };
    // Calls per sample, so that each sample lasts about SAMPLE_TIME.
    let calls: Vec<u64> = runners
        .iter_mut()
        .map(|runner| {
            let Ok(runner) = runner else { return 0 };
            let mut times = 1;
            loop {
                let start = Instant::now();
                run(runner, times);
                let elapsed = start.elapsed();
                if elapsed >= SAMPLE_TIME / 4 {
                    let per_call = elapsed.as_secs_f64() / times as f64;
                    break (SAMPLE_TIME.as_secs_f64() / per_call).ceil() as u64;
                }
                times *= 2;
            }
        })
        .collect();
    let mut samples = vec![Vec::with_capacity(SAMPLES); runners.len()];
    for _ in 0..SAMPLES {
        for ((runner, &times), samples) in runners.iter_mut().zip(&calls).zip(&mut samples) {
            if let Ok(runner) = runner {
                let start = Instant::now();
                run(runner, times);
                samples.push(start.elapsed().as_secs_f64() / times as f64);
            }
        }
    }
    let medians = runners
        .iter()
        .zip(samples)
        .map(|(runner, samples)| runner.as_ref().map(|_| median(samples)).map_err(|reason| *reason))
        .collect();
    let row = Row { spec, task, medians };
    eprintln!("measured {} {}", spec.name, task_name(task));
    row
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn task_name(task: Task) -> &'static str {
    match task {
        Task::Train => "training step",
        Task::Infer => "inference, 1 sample",
    }
}

fn print_table(rows: &[Row], peak: f64) {
    let names: Vec<_> = FRAMEWORKS.iter().map(|f| f.name()).collect();
    println!(
        "| workload | {} | fastest peer ÷ constnet | fastest peer ÷ constnet, 16 B off | \
         plain loops ÷ constnet | constnet GFLOP/s | % of peak | GFLOP/s as 3·2·B·MACs |",
        names.join(" | ")
    );
    println!("|---|{}---:|---:|---:|---:|---:|---:|", "---:|".repeat(names.len()));
    for row in rows {
        let [aligned, misaligned, plain, ..] = row.medians[..] else {
            unreachable!("a median, or why there is none, for every framework")
        };
        let aligned = aligned.expect("constnet runs every workload");
        let misaligned = misaligned.expect("constnet runs every workload");
        let fastest_peer = FRAMEWORKS
            .iter()
            .zip(&row.medians)
            .filter(|(f, _)| f.is_peer())
            .filter_map(|(_, m)| m.ok())
            .fold(f64::INFINITY, f64::min);
        let plain = match plain {
            Ok(plain) => format!("{:.2}×", plain / aligned),
            Err(_) => "—".to_string(),
        };
        let training = row.task == Task::Train;
        let gflops = flops(row.spec, training) / aligned / 1e9;
        let conventional = conventional_flops(row.spec, training) / aligned / 1e9;
        let times: Vec<_> =
            row.medians.iter().map(|m| m.map_or_else(str::to_string, duration)).collect();
        println!(
            "| {} {} | {} | {:.1}× | {:.1}× | {plain} | {gflops:.1} | {:.0}% | {conventional:.1} |",
            row.spec.name,
            task_name(row.task),
            times.join(" | "),
            fastest_peer / aligned,
            fastest_peer / misaligned,
            100.0 * gflops / peak,
        );
    }
}

fn duration(seconds: f64) -> String {
    match seconds {
        s if s < 1e-6 => format!("{:.1} ns", s * 1e9),
        s if s < 1e-3 => format!("{:.2} µs", s * 1e6),
        s => format!("{:.2} ms", s * 1e3),
    }
}

fn cpu_model() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    info.lines()
        .find_map(|line| line.strip_prefix("model name"))
        .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_else(|| std::env::consts::ARCH.to_string())
}
