//! `comptoir-stripe-sim`: the Stripe simulator as a process, for end-to-end tests that start the
//! real app. Prints `COMPTOIR_STRIPE_API_BASE=http://127.0.0.1:PORT/` on one line once it
//! accepts connections, then serves until killed.

use comptoir_core::dataset::{Dataset, DatasetSpec};
use comptoir_stripe_sim::{SimConfig, Simulator};
use std::io::Write;
use std::time::Duration;

const USAGE: &str =
    "usage: comptoir-stripe-sim [--port N] [--key KEY] [--orders N] [--subscriptions N] \
[--invoices N] [--deleted-customers N] [--seed N] [--now UNIX] [--latency-ms N] [--rate-limit N] \
[--error-rate F] [--hostile] [--demo]";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Default to the real clock so the app shows recent orders; `--now` makes runs repeatable.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(DatasetSpec::default().now);
    let mut spec = DatasetSpec {
        now,
        ..DatasetSpec::default()
    };
    let mut config = SimConfig::default();
    let mut demo = false;
    let mut i = 0;
    while i < args.len() {
        let flag = args[i].as_str();
        let mut value = || {
            i += 1;
            args.get(i)
                .cloned()
                .unwrap_or_else(|| fail(&format!("{flag} needs a value")))
        };
        match flag {
            "--port" => config.port = parse(&value()),
            "--key" => config.api_key = value(),
            "--orders" => spec.orders = parse(&value()),
            "--subscriptions" => spec.subscriptions = parse(&value()),
            "--invoices" => spec.one_off_invoices = parse(&value()),
            "--deleted-customers" => spec.deleted_customers = parse(&value()),
            "--seed" => spec.seed = parse(&value()),
            "--now" => spec.now = parse(&value()),
            "--latency-ms" => config.latency = Duration::from_millis(parse(&value())),
            "--rate-limit" => config.rate_limit_per_sec = Some(parse(&value())),
            "--error-rate" => config.error_rate = parse(&value()),
            "--hostile" => spec.hostile_text = true,
            "--demo" => demo = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return;
            }
            other => fail(&format!("unknown argument {other}")),
        }
        i += 1;
    }
    let dataset = if demo {
        Dataset::demo(spec.now)
    } else {
        Dataset::generate(&spec)
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async move {
        let sim = Simulator::start(dataset, config).await;
        println!("COMPTOIR_STRIPE_API_BASE={}", sim.base_url());
        let _ = std::io::stdout().flush();
        let _ = tokio::signal::ctrl_c().await;
        sim.shutdown().await;
    });
}

fn parse<T: std::str::FromStr>(s: &str) -> T {
    s.parse()
        .unwrap_or_else(|_| fail(&format!("not a valid value: {s}")))
}

fn fail(msg: &str) -> ! {
    eprintln!("comptoir-stripe-sim: {msg}\n{USAGE}");
    std::process::exit(2)
}
