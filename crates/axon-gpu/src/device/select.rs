//! Which adapter to use: a pure function over the adapters the loader reports.
//!
//! Rules, in order:
//! 1. `AXON_ADAPTER` set: an index into the list `axon info` prints (a number is always an
//!    index), or a case-insensitive part of an adapter's name. A named adapter is used even if it is a software one.
//! 2. Otherwise the first discrete GPU, then integrated, then virtual, then other hardware.
//! 3. A software adapter (wgpu type `Cpu`, e.g. lavapipe) only with `AXON_ALLOW_SOFTWARE=1`.
//!
//! Nothing falls back silently: when no adapter qualifies, the caller gets an error that says
//! how to install a driver or allow the software adapter.

use crate::error::BringUpError;
use wgpu::DeviceType;

/// What the user asked for, read from the environment (or set by a caller).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdapterPreference {
    /// `AXON_ADAPTER`: an index or a case-insensitive part of a name.
    pub wanted: Option<String>,
    /// `AXON_ALLOW_SOFTWARE=1`: a software adapter may be chosen when no GPU is present.
    pub allow_software: bool,
}

impl AdapterPreference {
    /// Reads `AXON_ADAPTER` and `AXON_ALLOW_SOFTWARE` (`1`, `true` or `yes` allow).
    pub fn from_env() -> Self {
        let wanted = std::env::var("AXON_ADAPTER")
            .ok()
            .filter(|v| !v.trim().is_empty());
        let allow_software = std::env::var("AXON_ALLOW_SOFTWARE")
            .map(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes"))
            .unwrap_or(false);
        Self {
            wanted,
            allow_software,
        }
    }
}

/// The facts about one adapter that selection looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdapterSummary {
    /// The adapter's name as the driver reports it.
    pub name: String,
    /// Discrete, integrated, software (`Cpu`), ...
    pub device_type: DeviceType,
}

/// Returns the index into `adapters` of the adapter to use.
pub fn choose_adapter(
    adapters: &[AdapterSummary],
    preference: &AdapterPreference,
) -> Result<usize, BringUpError> {
    if let Some(wanted) = &preference.wanted {
        let wanted_trimmed = wanted.trim();
        // A number is only ever an index: "7" must not pick "RX 7900" when adapter 7 is absent.
        let found = match wanted_trimmed.parse::<usize>() {
            Ok(index) => (index < adapters.len()).then_some(index),
            Err(_) => {
                let needle = wanted_trimmed.to_lowercase();
                adapters
                    .iter()
                    .position(|a| a.name.to_lowercase().contains(&needle))
            }
        };
        return found.ok_or_else(|| BringUpError::AdapterNotFound {
            wanted: wanted.clone(),
            seen: describe(adapters),
        });
    }
    let mut ranked: Vec<(u8, usize)> = adapters
        .iter()
        .enumerate()
        .filter_map(|(i, a)| rank(a.device_type, preference.allow_software).map(|r| (r, i)))
        .collect();
    ranked.sort();
    ranked
        .first()
        .map(|&(_, i)| i)
        .ok_or_else(|| BringUpError::NoUsableAdapter {
            seen: describe(adapters),
        })
}

/// Lower is better; `None` means never chosen without being named.
fn rank(device_type: DeviceType, allow_software: bool) -> Option<u8> {
    match device_type {
        DeviceType::DiscreteGpu => Some(0),
        DeviceType::IntegratedGpu => Some(1),
        DeviceType::VirtualGpu => Some(2),
        DeviceType::Other => Some(3),
        DeviceType::Cpu => allow_software.then_some(4),
    }
}

/// `0: NVIDIA H100 [DiscreteGpu], 1: llvmpipe [Cpu]`, or `none`.
pub fn describe(adapters: &[AdapterSummary]) -> String {
    if adapters.is_empty() {
        return "none".to_owned();
    }
    adapters
        .iter()
        .enumerate()
        .map(|(i, a)| format!("{i}: {} [{:?}]", a.name, a.device_type))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adapter(name: &str, device_type: DeviceType) -> AdapterSummary {
        AdapterSummary {
            name: name.to_owned(),
            device_type,
        }
    }

    fn pref(wanted: Option<&str>, allow_software: bool) -> AdapterPreference {
        AdapterPreference {
            wanted: wanted.map(str::to_owned),
            allow_software,
        }
    }

    fn machine() -> Vec<AdapterSummary> {
        vec![
            adapter("llvmpipe (LLVM 15.0.6, 256 bits)", DeviceType::Cpu),
            adapter("Intel(R) UHD Graphics 770", DeviceType::IntegratedGpu),
            adapter(
                "AMD Radeon RX 7900 XTX (RADV NAVI31)",
                DeviceType::DiscreteGpu,
            ),
        ]
    }

    #[test]
    fn discrete_beats_integrated_beats_software() {
        assert_eq!(choose_adapter(&machine(), &pref(None, true)).unwrap(), 2);
        assert_eq!(
            choose_adapter(&machine()[..2], &pref(None, true)).unwrap(),
            1
        );
        assert_eq!(
            choose_adapter(&machine()[..1], &pref(None, true)).unwrap(),
            0
        );
    }

    #[test]
    fn software_needs_permission_and_the_error_says_how() {
        let err = choose_adapter(&machine()[..1], &pref(None, false)).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, BringUpError::NoUsableAdapter { .. }));
        assert!(text.contains("AXON_ALLOW_SOFTWARE=1"), "{text}");
        assert!(text.contains("mesa-vulkan-drivers"), "{text}");
        assert!(text.contains("llvmpipe"), "{text}");
    }

    #[test]
    fn no_adapter_at_all_is_an_error() {
        let err = choose_adapter(&[], &pref(None, true)).unwrap_err();
        assert!(err.to_string().contains("seen: none"), "{err}");
    }

    #[test]
    fn named_adapter_by_index_or_name_even_if_software() {
        assert_eq!(
            choose_adapter(&machine(), &pref(Some("0"), false)).unwrap(),
            0
        );
        assert_eq!(
            choose_adapter(&machine(), &pref(Some("1"), false)).unwrap(),
            1
        );
        assert_eq!(
            choose_adapter(&machine(), &pref(Some("LLVMPIPE"), false)).unwrap(),
            0
        );
        assert_eq!(
            choose_adapter(&machine(), &pref(Some("radv"), false)).unwrap(),
            2
        );
        assert_eq!(
            choose_adapter(&machine(), &pref(Some(" uhd "), false)).unwrap(),
            1
        );
    }

    #[test]
    fn unknown_name_or_index_is_an_error_listing_what_exists() {
        for wanted in ["geforce", "7"] {
            let err = choose_adapter(&machine(), &pref(Some(wanted), true)).unwrap_err();
            assert!(matches!(err, BringUpError::AdapterNotFound { .. }), "{err}");
            assert!(err.to_string().contains("RADV NAVI31"), "{err}");
        }
    }
}
