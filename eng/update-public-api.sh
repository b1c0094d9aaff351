#!/usr/bin/env bash
# Rewrites PublicAPI.Unshipped.txt of Reptile.Kernels, Reptile.Core and Reptile.Distributed to list their whole
# public surface as it is now (less what PublicAPI.Shipped.txt already lists), with the analyzer's own code fix
# for RS0016. Run it after adding, changing or removing a public API, then review the diff and commit it.
set -euo pipefail
cd "$(dirname "$0")/.."
for project in Reptile.Kernels Reptile.Core Reptile.Distributed Reptile.Images; do
  # Starting from an empty Unshipped list drops removed APIs (RS0017) as well as adding new ones.
  printf '#nullable enable\n' > "$project/PublicAPI.Unshipped.txt"
  dotnet format analyzers "$project/$project.csproj" --diagnostics RS0016 --severity warn
done
git --no-pager diff --stat -- '*/PublicAPI.Unshipped.txt' || true
