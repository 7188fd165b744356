#!/bin/sh
# Builds one of this folder's Go programs without network access, against the library sources the Debian
# packages install under /usr/share/gocode (GOPATH mode: no go.mod, so nothing is downloaded or checked
# against a sum database). Go's own build cache goes next to the output, in wsmatrix's cache.
#
#   sh build.sh OUTPUT PROGRAM_DIR [BUILD_TAG]
set -eu
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: sh build.sh OUTPUT PROGRAM_DIR [BUILD_TAG]" >&2
  exit 2
fi
output=$1
program=$2
tag=${3:-}
case $output in /*) ;; *) output=$PWD/$output ;; esac
GOCACHE=$(dirname "$output")/go-build
GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOPROXY=off GOENV=off GOTOOLCHAIN=local CGO_ENABLED=0
export GOCACHE GO111MODULE GOPATH GOFLAGS GOPROXY GOENV GOTOOLCHAIN CGO_ENABLED
cd "$program"
exec go build -trimpath ${tag:+-tags "$tag"} -o "$output" .
