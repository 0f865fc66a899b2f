# skimscan with Debian's Chromium for the browser pass, as a non-root user.
#   docker build -t skimscan .
#   docker run --rm skimscan scan https://shop.example/checkout/
# Build stage: the locked dependency set, release profile.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked && strip target/release/skimscan

# Run stage: Chromium (the browser pass), CA roots, fonts so screenshots have text; nothing else.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium ca-certificates fonts-liberation fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --user-group --home-dir /home/skimscan --create-home skimscan
COPY --from=build /src/target/release/skimscan /usr/local/bin/skimscan
USER 10001:10001
ENV HOME=/home/skimscan
# Chromium runs with its own sandbox when the container allows user namespaces; a suspect site
# is best scanned in a throw-away container like this one (see README, "Running it safely").
ENTRYPOINT ["/usr/local/bin/skimscan"]
CMD ["--help"]
