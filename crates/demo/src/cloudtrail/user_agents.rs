//! User agents of the AWS SDKs, the CLI, Terraform and the console's browsers.

use crate::rng::Rng;
use std::fmt::Write as _;

pub(crate) fn boto_ua(rng: &mut Rng, lambda: bool) -> String {
    if rng.chance(700) {
        // Older SDKs still send the short form.
        let minor = rng.range(20, 160);
        return format!(
            "Boto3/1.26.{minor} Python/3.9.{} Linux/5.10.{}-{}.amzn2.x86_64{} Botocore/1.29.{minor}",
            rng.range(10, 19),
            rng.range(150, 215),
            rng.range(140, 203),
            if lambda { " exec-env/AWS_Lambda_python3.9" } else { "" }
        );
    }
    let minor = rng.range(60, 110);
    let py = rng.pick(&["3.9.19", "3.11.9", "3.12.3"]);
    let kernel = rng.pick(&[
        "5.10.215-203.850.amzn2.x86_64",
        "6.1.90-99.173.amzn2023.x86_64",
    ]);
    let mut s = format!(
        "Boto3/1.34.{minor} md/Botocore#1.34.{minor} ua/2.0 os/linux#{kernel} md/arch#x86_64 \
         lang/python#{py} md/pyimpl#CPython"
    );
    if lambda {
        let _ = write!(
            s,
            " exec-env/AWS_Lambda_python{}",
            &py[..py.rfind('.').unwrap_or(3)]
        );
    }
    let _ = write!(s, " cfg/retry-mode#legacy Botocore/1.34.{minor}");
    s
}

pub(crate) fn cli_ua(rng: &mut Rng) -> String {
    let (os, exe) = rng.pick(&[
        ("Linux/6.5.0-1018-aws", "exe/x86_64.ubuntu.22"),
        ("Darwin/23.4.0", "exe/arm64"),
        ("Windows/10", "exe/AMD64"),
        (
            "Linux/5.15.146.1-microsoft-standard-WSL2",
            "exe/x86_64.ubuntu.22",
        ),
    ]);
    format!(
        "aws-cli/2.15.{} Python/3.11.8 {os} {exe} prompt/off",
        rng.range(20, 58)
    )
}

pub(crate) fn terraform_ua(rng: &mut Rng) -> String {
    format!(
        "APN/1.0 HashiCorp/1.0 Terraform/1.{}.{} (+https://www.terraform.io) \
         terraform-provider-aws/5.{}.0 (+https://registry.terraform.io/providers/hashicorp/aws) \
         aws-sdk-go/1.51.{} (go1.22.2; linux; amd64)",
        rng.range(5, 8),
        rng.range(0, 5),
        rng.range(40, 50),
        rng.range(10, 30)
    )
}

pub(crate) fn java_ua(rng: &mut Rng) -> String {
    if rng.chance(500) {
        return format!(
            "aws-sdk-java/1.12.{} Linux/5.10.215-203.850.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/\
             11.0.23+9-LTS java/11.0.23 vendor/Amazon.com_Inc.",
            rng.range(400, 720)
        );
    }
    format!(
        "aws-sdk-java/2.25.{} Linux/5.10.215-203.850.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/\
         17.0.11+9-LTS Java/17.0.11 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
        rng.range(10, 60)
    )
}

pub(crate) const BROWSER_UA: [&str; 3] = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
];
