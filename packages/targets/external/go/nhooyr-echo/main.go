// Command nhooyr-echo is a WebSocket echo server on nhooyr.io/websocket (Debian's
// golang-nhooyr-websocket-dev), an external matrix target of @wsmatrix/targets.
//
//	nhooyr-echo --host 127.0.0.1 --port 9001
//
// Every path upgrades with websocket.Accept and no options, so every documented default holds: the read
// limit of a message, same-origin checking, and permessage-deflate in its default mode (no context
// takeover), which this version negotiates whenever a client offers it. Each message is read whole and
// written back with its type; pings, the close echo and protocol errors are the library's own.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"

	"nhooyr.io/websocket"
)

func main() {
	flags := flag.NewFlagSet("nhooyr-echo", flag.ContinueOnError)
	flags.SetOutput(discard{})
	host := flags.String("host", "127.0.0.1", "address to listen on")
	port := flags.String("port", "", "TCP port to listen on")
	if err := flags.Parse(os.Args[1:]); err != nil || *port == "" || flags.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: nhooyr-echo --host HOST --port PORT")
		os.Exit(2)
	}

	listener, err := net.Listen("tcp", net.JoinHostPort(*host, *port))
	if err != nil {
		fmt.Fprintln(os.Stderr, "nhooyr-echo:", err)
		os.Exit(1)
	}
	server := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Accept has already answered a request it refuses.
		conn, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		echo(conn)
	})}
	fmt.Fprintln(os.Stderr, "nhooyr-echo:", server.Serve(listener))
	os.Exit(1)
}

// echo sends every message back with its type until reading fails: the peer's close (nhooyr has echoed
// it), a protocol error or an oversized message (nhooyr has sent its close) or a dropped connection.
func echo(conn *websocket.Conn) {
	// Only reached when a write failed with the connection still open; a no-op once it is closed.
	defer conn.Close(websocket.StatusInternalError, "")
	ctx := context.Background()
	for {
		kind, data, err := conn.Read(ctx)
		if err != nil {
			return
		}
		if err := conn.Write(ctx, kind, data); err != nil {
			return
		}
	}
}

// discard keeps the flag package's own usage text off stderr: bad usage is the one line above.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
