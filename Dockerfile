# The release image (ghcr.io/htgit/htgit): htgit built statically, on a small
# base that has git (pull request diffs and deploys read history) and CA
# certificates. Base images are pinned by digest so a rebuild of a tag gets
# the same bases; bump tag and digest together.
FROM golang:1.25-alpine@sha256:1ae0735f00daffa3aaf1363a5184c0d2dc55c78e3db4ec70241cdac97bf84b59 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY cmd ./cmd
COPY internal ./internal
# The release workflow passes the tag's version (without the v).
ARG VERSION=devel
RUN CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X github.com/htgit/htgit/internal/cli.version=${VERSION}" \
    -o /out/htgit ./cmd/htgit

FROM alpine:3.22@sha256:14358309a308569c32bdc37e2e0e9694be33a9d99e68afb0f5ff33cc1f695dce
ARG VERSION=devel
LABEL org.opencontainers.image.source="https://github.com/htgit/htgit" \
      org.opencontainers.image.description="Validate and deploy Hightouch Git Sync workspaces" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}"
RUN apk add --no-cache git ca-certificates \
    # A mounted repository is owned by another user than the container's;
    # without this git refuses to read it ("dubious ownership").
    && git config --system --add safe.directory '*'
COPY --from=build /out/htgit /usr/local/bin/htgit
WORKDIR /src
ENTRYPOINT ["/usr/local/bin/htgit"]
