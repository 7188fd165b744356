"""The command line every echo server of this folder takes: --host, --port and, where the server has a
permessage-deflate variant, --deflate. Bad arguments are one line on stderr and exit status 2."""

import argparse
from typing import NamedTuple


class ServerArgs(NamedTuple):
    host: str
    port: int
    deflate: bool


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:
        self.exit(2, f"{self.prog}: {message}\n")


def parse_server_args(program: str, description: str, deflate_option: bool) -> ServerArgs:
    parser = OneLineParser(prog=program, description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    if deflate_option:
        parser.add_argument("--deflate", action="store_true", help="accept permessage-deflate")
    args = parser.parse_args()
    return ServerArgs(args.host, args.port, getattr(args, "deflate", False))
