# dutychain container image: a static binary on distroless, run as non-root.
# The SQLite driver (modernc.org/sqlite) is pure Go, so CGO stays off and the
# binary needs no C library. The image has no shell: health is checked by the
# orchestrator's probes (GET /healthz, GET /readyz), not by a HEALTHCHECK.
#
#   docker build -t dutychain:dev --build-arg VERSION=$(git describe --always) .

FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/dutychain .
RUN mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/dutychain /dutychain
# The data directory is a spool for uploads in progress (and, without
# PostgreSQL, the embedded database): mount a volume or an emptyDir here.
COPY --from=build --chown=65532:65532 /out/data /data
ENV DUTYCHAIN_DATA_DIR=/data \
    DUTYCHAIN_ADDR=0.0.0.0:8080 \
    DUTYCHAIN_ADMIN_ADDR=0.0.0.0:9090 \
    DUTYCHAIN_SEED_DEMO=false
USER 65532:65532
EXPOSE 8080 9090
VOLUME ["/data"]
ENTRYPOINT ["/dutychain"]
CMD ["serve"]
