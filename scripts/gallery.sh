#!/usr/bin/env bash
# Regenerates the README's gallery, docs/gallery/, from the teaching examples.
#
# Every example writes its figures to figures/ (or $TAPEGRAD_FIGURES); this runs them
# all into target/gallery-figures/ and copies the curated ones. The wall-clock panel of
# gradient_descent_loss.svg depends on the machine and its load; the rest is
# deterministic.
set -euo pipefail
cd "$(dirname "$0")/.."

examples=(
    tape_walkthrough house_sales maximum_likelihood softmax_gradient gradient_check
    taylor_descent gradient_descent learning_rate_schedules feature_scaling
    adaptive_learning_rates newton_method softmax_regression
)
gallery=(
    tape_walkthrough_forward tape_walkthrough_backward tape_walkthrough_tensors house_sales_gradient maximum_likelihood_softmax
    maximum_likelihood_likelihood softmax_gradient_gradient gradient_check_error
    taylor_descent_trajectories taylor_descent_first_order gradient_descent_alignment
    gradient_descent_loss learning_rate_schedules_rates learning_rate_schedules_loss
    feature_scaling_contours adaptive_learning_rates_paths softmax_regression_templates
    softmax_regression_test_digits newton_method_convergence
)

out=target/gallery-figures
rm -rf "$out"
mkdir -p "$out" docs/gallery
cargo build --release --quiet --examples
for example in "${examples[@]}"; do
    echo "running $example"
    TAPEGRAD_FIGURES="$out" "target/release/examples/$example" > /dev/null
done
rm -f docs/gallery/*.svg
for figure in "${gallery[@]}"; do
    cp "$out/$figure.svg" docs/gallery/
done
echo "docs/gallery/: ${#gallery[@]} figures"
