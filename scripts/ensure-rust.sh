#!/usr/bin/env bash
# Makes sure a C linker and a recent Rust toolchain (edition 2024: Rust >= 1.87) are installed.
# Sourced by scripts/axon and scripts/test.
set -euo pipefail

sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then
    sudo_cmd="sudo"
fi
if ! command -v cc >/dev/null 2>&1; then
    echo "[axon] no C compiler/linker found: installing build-essential" >&2
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq build-essential curl >/dev/null
fi
if [ -f "$HOME/.cargo/env" ]; then
    # shellcheck disable=SC1091
    source "$HOME/.cargo/env"
fi
if ! command -v cargo >/dev/null 2>&1; then
    echo "[axon] no Rust toolchain found: installing it with rustup (https://rustup.rs)" >&2
    command -v curl >/dev/null 2>&1 || {
        $sudo_cmd apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq curl >/dev/null
    }
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c rustfmt,clippy
    # shellcheck disable=SC1091
    source "$HOME/.cargo/env"
fi
