#!/usr/bin/env python3
"""Serve a directory over HTTPS on 127.0.0.1 with a fixed added latency per response, HTTP/1.1
keep-alive, from memory: the network a scheduled scan sees, shared by curl and skimscan in the
same run so the comparison is fair. usage: latency_server.py DIR PORT CERT KEY [LATENCY_MS]"""
import os, ssl, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

root, port, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
latency = (float(sys.argv[5]) if len(sys.argv) > 5 else 20.0) / 1000
files = {}
for d, _, names in os.walk(root):
    for n in names:
        p = os.path.join(d, n)
        files["/" + os.path.relpath(p, root)] = open(p, "rb").read()

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        time.sleep(latency)
        body = files.get(self.path.split("?")[0])
        if body is None:
            self.send_response(404); self.send_header("Content-Length", "0"); self.end_headers()
            return
        ct = "text/html; charset=utf-8" if self.path.endswith(".html") else "application/javascript"
        self.send_response(200)
        self.send_header("Content-Type", ct)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass

class S(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

srv = S(("127.0.0.1", port), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
