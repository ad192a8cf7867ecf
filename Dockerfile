# The GitHub Action's image: htgit built statically, on a small base that has
# git (pull request diffs and deploys read history) and CA certificates.
FROM golang:1.26-alpine AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY cmd ./cmd
COPY internal ./internal
ARG VERSION=devel
RUN CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X github.com/htgit/htgit/internal/cli.version=${VERSION}" \
    -o /out/htgit ./cmd/htgit

FROM alpine:3.20
RUN apk add --no-cache git ca-certificates \
    # The runner mounts the workspace owned by another user; without this git
    # refuses to read it ("dubious ownership").
    && git config --system --add safe.directory '*'
COPY --from=build /out/htgit /usr/local/bin/htgit
ENTRYPOINT ["/usr/local/bin/htgit"]
