"""Serve a directory over HTTP on 127.0.0.1 (a free port), logging each request path.

    python serve.py DIR LOGFILE

Prints the port on the first line of stdout, then serves until killed. Each request's
path is appended to LOGFILE, one per line, so tests can check what a client fetched.
"""
import functools
import http.server
import sys


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass

    def do_GET(self):
        with open(self.server.request_log, "a") as f:
            f.write(self.path + "\n")
        super().do_GET()


def main():
    directory, log = sys.argv[1], sys.argv[2]
    handler = functools.partial(Handler, directory=directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.request_log = log
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
