# Hindsight: a static binary on distroless, running as a non-root user.
#   docker build -t hindsight .
#   docker run --rm -v hindsight-data:/data hindsight token create --role admin
#   docker run -p 8080:8080 -v hindsight-data:/data hindsight

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=""
# modernc.org/sqlite is pure Go, so the binary needs no C library.
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/hindsight ./cmd/hindsight \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
WORKDIR /app
COPY --from=build /out/hindsight /usr/local/bin/hindsight
COPY postmortems /app/postmortems
# An empty /data owned by the nonroot user (65532), so that a new named
# volume mounted there starts out writable.
COPY --from=build --chown=65532:65532 /out/data /data
# Listening beyond loopback needs sign-in: serve refuses HINDSIGHT_AUTH=none
# there. Create tokens with `hindsight token create` (see above).
ENV HINDSIGHT_ADDR=0.0.0.0:8080 \
    HINDSIGHT_AUTH=token \
    HINDSIGHT_DB=/data/hindsight.db \
    HINDSIGHT_POSTMORTEMS=/app/postmortems
USER 65532:65532
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/hindsight", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/hindsight"]
CMD ["serve"]
