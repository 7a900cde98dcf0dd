#!/usr/bin/env bash
# Regenerates the Swift code for the protocol's protobuf messages.
#
# Needs `protoc` (Debian: protobuf-compiler) and `protoc-gen-swift` built from apple/swift-protobuf
# at the version Package.swift names:
#   git clone https://github.com/apple/swift-protobuf && cd swift-protobuf && git checkout 1.39.0
#   swift build -c release --product protoc-gen-swift
# then run this script with PROTOC_GEN_SWIFT=/path/to/.build/release/protoc-gen-swift.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../Sources/SyncProtocol/Generated"
plugin=${PROTOC_GEN_SWIFT:-$(command -v protoc-gen-swift || true)}
[[ -x "$plugin" ]] || { echo "protoc-gen-swift not found: set PROTOC_GEN_SWIFT" >&2; exit 1; }
mkdir -p "$out"
protoc --plugin=protoc-gen-swift="$plugin" --proto_path="$here" \
  --swift_opt=Visibility=Public --swift_out="$out" "$here"/doorstep_sync.proto
echo "wrote $out/doorstep_sync.pb.swift"
