#!/usr/bin/env bash
# Packs Reptile.Kernels, Reptile.Core, Reptile.Distributed and Reptile.Images into artifacts/packages, builds samples/FewShotApp
# against those packages (not the projects), then runs it as an app would: `train` in one process, `classify` in
# another. Exits non-zero when any step fails or the sample's accuracy is not clearly above chance.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
packages="$root/artifacts/packages"
# A private package folder for the sample, emptied each run: NuGet caches by id and version, so a package from an
# earlier run (same version, other code) is never what the sample gets.
restored="$root/artifacts/sample-packages"
rm -rf "$restored" "$packages"/Reptile.*
mkdir -p "$packages"

for project in Reptile.Kernels Reptile.Core Reptile.Distributed Reptile.Images; do
  dotnet pack "$project/$project.csproj" -c Release -o "$packages" --nologo -v quiet
done
version=$(dotnet msbuild Reptile.Core/Reptile.Core.csproj -getProperty:PackageVersion)
echo "packed version $version: $(cd "$packages" && ls Reptile.* | tr '\n' ' ')"

sample="$root/samples/FewShotApp"
# No output of an earlier build either: every file the app runs with comes from this run's packages.
rm -rf "$sample/bin" "$sample/obj"
dotnet restore "$sample/FewShotApp.csproj" --packages "$restored" -p:ReptileVersion="$version" --nologo -v quiet
dotnet build "$sample/FewShotApp.csproj" -c Release --no-restore -p:ReptileVersion="$version" --nologo -v quiet
app="$sample/bin/Release/net10.0/FewShotApp.dll"
checkpoint=$(mktemp -d)
trap 'rm -rf "$checkpoint"' EXIT
dotnet "$app" train "$checkpoint"
dotnet "$app" classify "$checkpoint"
