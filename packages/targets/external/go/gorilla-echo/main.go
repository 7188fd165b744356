// Command gorilla-echo is a WebSocket echo server on gorilla/websocket (Debian's
// golang-github-gorilla-websocket-dev), an external matrix target of @wsmatrix/targets.
//
//	gorilla-echo --host 127.0.0.1 --port 9001 [--deflate]
//
// Every path upgrades with a websocket.Upgrader at its documented defaults (--deflate: EnableCompression,
// the one setting that turns permessage-deflate on); each message is read whole and written back with its
// type. Pings, the close echo and protocol errors are the library's own handlers. gorilla leaves UTF-8
// checking of text messages to the application, and this program adds none: invalid UTF-8 is echoed as
// gorilla delivers it, which is gorilla's verdict.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"

	"github.com/gorilla/websocket"
)

func main() {
	flags := flag.NewFlagSet("gorilla-echo", flag.ContinueOnError)
	flags.SetOutput(discard{})
	host := flags.String("host", "127.0.0.1", "address to listen on")
	port := flags.String("port", "", "TCP port to listen on")
	deflate := flags.Bool("deflate", false, "negotiate permessage-deflate (Upgrader.EnableCompression)")
	if err := flags.Parse(os.Args[1:]); err != nil || *port == "" || flags.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: gorilla-echo --host HOST --port PORT [--deflate]")
		os.Exit(2)
	}

	upgrader := websocket.Upgrader{EnableCompression: *deflate}
	listener, err := net.Listen("tcp", net.JoinHostPort(*host, *port))
	if err != nil {
		fmt.Fprintln(os.Stderr, "gorilla-echo:", err)
		os.Exit(1)
	}
	server := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Upgrade has already answered a request it refuses (400, 403, 405...).
		conn, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		echo(conn)
	})}
	fmt.Fprintln(os.Stderr, "gorilla-echo:", server.Serve(listener))
	os.Exit(1)
}

// echo sends every message back with its type until reading fails: the peer's close (answered by
// gorilla's default close handler), a protocol error (gorilla has sent its close) or a dropped connection.
func echo(conn *websocket.Conn) {
	defer conn.Close()
	for {
		kind, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		if err := conn.WriteMessage(kind, data); err != nil {
			return
		}
	}
}

// discard keeps the flag package's own usage text off stderr: bad usage is the one line above.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
