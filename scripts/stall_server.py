#!/usr/bin/env python3
# Loopback server for the --deadline measurement (BENCHMARKS.md): a checkout page with N
# scripts that never answer. Usage: stall_server.py PORT N (it stops itself after 300 s).
import sys, time, threading
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
N = int(sys.argv[2])
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        if self.path == "/checkout/":
            tags = "".join(f'<script src="/static/w{i}.js"></script>' for i in range(N))
            body = f'<html><head>{tags}</head><body><form><input autocomplete="cc-number"></form></body></html>'.encode()
            self.send_response(200); self.send_header("content-type", "text/html"); self.send_header("content-length", str(len(body))); self.end_headers(); self.wfile.write(body)
        else:
            time.sleep(120)
ThreadingHTTPServer.daemon_threads = True
s = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H)
threading.Timer(300, s.shutdown).start()
s.serve_forever()
