#!/usr/bin/env bash
# install-htgit.sh installs an htgit release binary for this machine (Linux,
# macOS or Windows under Git Bash; x64 or arm64), checks its SHA-256 against
# the release's checksums.txt and keeps it in a tool cache, so a second run
# downloads nothing. The composite GitHub Action runs it; it works by hand too.
#
# It prints the binary's path. On a GitHub runner it also sets the step
# output `path` and puts htgit on PATH for later steps.
#
# Environment (all optional):
#   HTGIT_VERSION        version to install (1.2.3 or v1.2.3). Default: the
#                        newest release in the CHANGELOG.md next to this script,
#                        which is the version of this copy of the Action.
#   HTGIT_DOWNLOAD_BASE  where releases are: files are fetched from
#                        $HTGIT_DOWNLOAD_BASE/v<version>/<file>.
#                        Default: https://github.com/htgit/htgit/releases/download
#   RUNNER_TOOL_CACHE    the cache directory (set on GitHub runners).
#                        Default: ${XDG_CACHE_HOME:-$HOME/.cache}
#   RUNNER_OS, RUNNER_ARCH  the platform as the runner names it (Linux, macOS,
#                        Windows; X64, ARM64). Default: from uname.
#   HTGIT_RETRY_DELAY    seconds between the 3 retries of a failed download
#                        (default 2).
set -euo pipefail

die() {
	if [ "${GITHUB_ACTIONS:-}" = true ]; then
		echo "::error title=htgit install::$*"
	fi
	echo "install-htgit: $*" >&2
	exit 1
}
log() { echo "install-htgit: $*" >&2; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
base=${HTGIT_DOWNLOAD_BASE:-https://github.com/htgit/htgit/releases/download}
base=${base%/}

version=${HTGIT_VERSION:-}
if [ -z "$version" ]; then
	# The newest released section of Keep a Changelog: "## [1.2.3] - DATE".
	# The release workflow refuses a tag that is not this version.
	if [ -f "$here/../CHANGELOG.md" ]; then
		version=$(sed -n 's/^## \[\([0-9][0-9.]*[^]]*\)\].*/\1/p' "$here/../CHANGELOG.md" | head -n 1)
	fi
	[ -n "$version" ] || die "no version to install: set HTGIT_VERSION (CHANGELOG.md names no release)"
fi
version=${version#v}
# Semantic versions only: the version names a folder of the tool cache that
# is removed and rewritten, so ".." or "." must never pass.
if ! [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]*)?$ ]]; then
	die "version \"$version\" is not a release version such as 1.2.3"
fi

os=${RUNNER_OS:-$(uname -s)}
case $os in
Linux) os=linux ;;
macOS | Darwin) os=darwin ;;
Windows | MINGW* | MSYS* | CYGWIN*) os=windows ;;
*) die "no htgit release for the operating system \"$os\"; releases exist for Linux, macOS and Windows. Build it instead: go install github.com/htgit/htgit/cmd/htgit@v$version" ;;
esac
arch=${RUNNER_ARCH:-$(uname -m)}
case $arch in
X64 | x86_64 | amd64) arch=amd64 cache_arch=x64 ;;
ARM64 | aarch64 | arm64) arch=arm64 cache_arch=arm64 ;;
*) die "no htgit release for the architecture \"$arch\" on $os; releases exist for x64 (amd64) and arm64. Build it instead: go install github.com/htgit/htgit/cmd/htgit@v$version" ;;
esac

exe=htgit archive_ext=tar.gz
if [ $os = windows ]; then
	exe=htgit.exe archive_ext=zip
fi
archive="htgit_${version}_${os}_${arch}.${archive_ext}"

cache=${RUNNER_TOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}}
if command -v cygpath >/dev/null 2>&1; then
	cache=$(cygpath -u "$cache") # C:\hostedtoolcache\windows on Windows runners
fi
# The layout of actions/tool-cache: <cache>/<tool>/<version>/<arch>, with a
# <arch>.complete marker written last so a half-done install is never used.
dir="$cache/htgit/$version/$cache_arch"
bin="$dir/$exe"

if [ -f "$dir.complete" ] && [ -x "$bin" ]; then
	log "htgit $version ($os/$arch) found in the tool cache: $bin"
else
	tmp=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/htgit-install.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT

	# Bounded retries: a server that keeps failing fails the step in seconds.
	fetch() {
		local url="$base/v$version/$1"
		if ! curl --fail --silent --show-error --location \
			--connect-timeout 10 --max-time 300 \
			--retry 3 --retry-delay "${HTGIT_RETRY_DELAY:-2}" --retry-max-time 120 \
			--output "$tmp/$1" "$url" 2>"$tmp/curl.err"; then
			die "cannot download $url: $(tr -d '\r' <"$tmp/curl.err" | tail -n 1)"
		fi
	}
	log "downloading htgit $version for $os/$arch from $base"
	fetch checksums.txt
	fetch "$archive"

	want=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$tmp/checksums.txt")
	[ -n "$want" ] || die "checksums.txt of v$version lists no $archive; refusing to install an unverified binary"
	# A release lists each file once; two lines would let either one win.
	[ "$(printf '%s\n' "$want" | wc -l)" -eq 1 ] || die "checksums.txt of v$version lists $archive more than once; refusing to install an unverified binary"
	if command -v sha256sum >/dev/null 2>&1; then
		got=$(sha256sum "$tmp/$archive" | awk '{print $1}')
	else
		got=$(shasum -a 256 "$tmp/$archive" | awk '{print $1}')
	fi
	if [ "$got" != "$want" ]; then
		die "SHA-256 of $archive is $got, but checksums.txt says $want; refusing to install it (a corrupt or tampered download)"
	fi

	# Only the binary is extracted: nothing else of the archive can land
	# anywhere, through a link or otherwise.
	mkdir -p "$tmp/x"
	if [ $archive_ext = zip ]; then
		# Git Bash has unzip; the tar of Windows and macOS (bsdtar) reads zip too.
		if command -v unzip >/dev/null 2>&1; then
			unzip -q -o "$tmp/$archive" "$exe" -d "$tmp/x" 2>"$tmp/x.err" || true
		else
			tar -xf "$tmp/$archive" -C "$tmp/x" "$exe" 2>"$tmp/x.err" || true
		fi
	else
		tar -xzf "$tmp/$archive" -C "$tmp/x" "$exe" 2>"$tmp/x.err" || true
	fi
	# A link would make chmod and mv act on a file outside the cache.
	if [ -L "$tmp/x/$exe" ] || [ ! -f "$tmp/x/$exe" ]; then
		die "$archive has no $exe file at its top level (a link or a folder is refused)"
	fi

	rm -rf "$dir" "$dir.complete"
	mkdir -p "$dir"
	mv "$tmp/x/$exe" "$bin"
	chmod +x "$bin"
	touch "$dir.complete"
	log "installed htgit $version ($os/$arch, SHA-256 $got) in $dir"
fi

if [ -n "${GITHUB_OUTPUT:-}" ]; then
	echo "path=$bin" >>"$GITHUB_OUTPUT"
fi
if [ -n "${GITHUB_PATH:-}" ]; then
	echo "$dir" >>"$GITHUB_PATH"
fi
echo "$bin"
