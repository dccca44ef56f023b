//! `ferrium verify`: the command line over `ferrium_verify`. The report goes to stdout
//! (as text or `--json`), errors to stderr; exit 0 when equal, 1 on differences, 2 when
//! the comparison could not run.

use std::process::ExitCode;

use clap::Args;
use ferrium_verify::{default_target_table, Endpoint, VerifyOptions};

#[derive(Args)]
pub struct VerifyArgs {
    /// JDBC URL of the source database: jdbc:postgresql://host:port/db, jdbc:mariadb://… or jdbc:mysql://…
    #[arg(long)]
    source_url: String,
    /// Source user (else the URL's user= parameter).
    #[arg(long)]
    source_user: Option<String>,
    /// Source password (else the URL's password= parameter).
    #[arg(long)]
    source_password: Option<String>,
    /// Source table: schema.table (PostgreSQL), database.table (MySQL) or a bare name.
    #[arg(long)]
    source_table: String,
    /// JDBC URL of the database holding the copy.
    #[arg(long)]
    target_url: String,
    #[arg(long)]
    target_user: Option<String>,
    #[arg(long)]
    target_password: Option<String>,
    /// Target table; default: the source table's bare name.
    #[arg(long)]
    target_table: Option<String>,
    /// Columns identifying a row (default: the source's primary key).
    #[arg(long, value_delimiter = ',')]
    key: Option<Vec<String>>,
    /// Source columns not to compare.
    #[arg(long, value_delimiter = ',')]
    exclude: Vec<String>,
    /// Sample rows shown per kind of difference.
    #[arg(long, default_value_t = 10)]
    samples: usize,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

pub async fn run(args: VerifyArgs) -> ExitCode {
    let target_table = args
        .target_table
        .unwrap_or_else(|| default_target_table(&args.source_table));
    let options = VerifyOptions {
        source: Endpoint {
            url: args.source_url,
            user: args.source_user,
            password: args.source_password,
            table: args.source_table,
        },
        target: Endpoint {
            url: args.target_url,
            user: args.target_user,
            password: args.target_password,
            table: target_table,
        },
        key: args.key,
        exclude: args.exclude,
        samples: args.samples,
    };
    match ferrium_verify::verify(&options).await {
        Ok(report) => {
            if args.json {
                println!("{}", report.to_json());
            } else {
                println!("{report}");
            }
            if report.is_equal() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}
