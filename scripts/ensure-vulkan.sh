#!/usr/bin/env bash
# Makes sure a Vulkan loader and at least one Vulkan driver are installed.
# When none is, installs Mesa's drivers (lavapipe, the software Vulkan driver, among them).
# Sourced by scripts/axon and scripts/test; safe to run on its own.
set -euo pipefail

axon_have_vulkan() {
    # No grep -q: it would close the pipe early and pipefail would report ldconfig's SIGPIPE.
    ldconfig -p 2>/dev/null | grep 'libvulkan\.so\.1' >/dev/null || return 1
    if [ -n "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ]; then
        return 0
    fi
    local dir
    for dir in /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/share/vulkan/icd.d; do
        if compgen -G "$dir/*.json" >/dev/null; then
            return 0
        fi
    done
    return 1
}

if ! axon_have_vulkan; then
    echo "[axon] no Vulkan driver found: installing Mesa's Vulkan drivers (lavapipe included)" >&2
    sudo_cmd=""
    if [ "$(id -u)" -ne 0 ]; then
        sudo_cmd="sudo"
    fi
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq mesa-vulkan-drivers libvulkan1 >/dev/null
    axon_have_vulkan || { echo "[axon] still no Vulkan driver after installing mesa-vulkan-drivers" >&2; exit 1; }
fi
# Mesa's window-system code complains on stderr when this is unset; Axon draws no windows.
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
