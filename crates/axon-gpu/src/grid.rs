//! Folding a 1-D count of workgroups into the device's per-dimension grid limit.

/// `groups` workgroups as `[x, y, 1]` with `x, y <= max_per_dim` and `x * y >= groups`;
/// `None` when even `max_per_dim^2` is too few. Kernels recover the linear index as
/// `id.x + id.y * num_workgroups.x` and ignore indices past the end.
pub fn fold_grid(groups: u64, max_per_dim: u32) -> Option<[u32; 3]> {
    let max = u64::from(max_per_dim.max(1));
    if groups <= max {
        return Some([u32::try_from(groups).ok()?, 1, 1]);
    }
    let y = groups.div_ceil(max);
    if y > max {
        return None;
    }
    let x = groups.div_ceil(y);
    Some([u32::try_from(x).ok()?, u32::try_from(y).ok()?, 1])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn small_counts_stay_one_dimensional() {
        assert_eq!(fold_grid(0, 65535), Some([0, 1, 1]));
        assert_eq!(fold_grid(1, 65535), Some([1, 1, 1]));
        assert_eq!(fold_grid(65535, 65535), Some([65535, 1, 1]));
    }

    #[test]
    fn large_counts_fold_and_overflow_is_refused() {
        assert_eq!(fold_grid(65536, 65535), Some([32768, 2, 1]));
        assert_eq!(fold_grid(65535 * 65535 + 1, 65535), None);
    }

    proptest! {
        #[test]
        fn folded_grid_covers_exactly_enough(groups in 0u64..5_000_000, max in 1u32..70_000) {
            if let Some([x, y, z]) = fold_grid(groups, max) {
                prop_assert!(x <= max && y <= max && z == 1);
                let covered = u64::from(x) * u64::from(y);
                prop_assert!(covered >= groups);
                // Less than one column of waste.
                prop_assert!(covered - groups < u64::from(y));
            } else {
                prop_assert!(groups > u64::from(max) * u64::from(max));
            }
        }
    }
}
