//go:build nhooyr

package main

import (
	"context"

	"nhooyr.io/websocket"
)

const libraryName = "nhooyr"

// caseReadLimit is the read limit nhooyr's own Autobahn client test sets on each case connection
// (autobahn_test.go plays the cases through internal/test/wstest.EchoLoop, which raises it to 1 << 30).
const caseReadLimit = 1 << 30

// nhooyr dials with websocket.Dial and no options: permessage-deflate offered in its default mode (no
// context takeover). Every message is read whole and written back with its type.
type nhooyr struct{}

func newLibrary() library { return nhooyr{} }

func (nhooyr) echo(url string) error {
	ctx := context.Background()
	conn, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return err
	}
	// Only acts when a write failed with the connection still open; a no-op once it is closed.
	defer conn.Close(websocket.StatusInternalError, "")
	conn.SetReadLimit(caseReadLimit)
	for {
		kind, data, err := conn.Read(ctx)
		if err != nil {
			return nil // the server's close (nhooyr has echoed it), an error, or a drop
		}
		if err := conn.Write(ctx, kind, data); err != nil {
			return nil
		}
	}
}

func (nhooyr) firstText(url string) (string, error) {
	ctx := context.Background()
	conn, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return "", err
	}
	defer conn.Close(websocket.StatusInternalError, "")
	_, data, err := conn.Read(ctx)
	if err != nil {
		return "", err
	}
	// Read on until the server closes, so the next connection opens after this one has ended.
	for {
		if _, _, err := conn.Read(ctx); err != nil {
			return string(data), nil
		}
	}
}
