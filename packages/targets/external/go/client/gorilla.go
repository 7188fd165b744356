//go:build gorilla

package main

import "github.com/gorilla/websocket"

const libraryName = "gorilla"

// gorilla dials with websocket.DefaultDialer as it is: no read limit, no compression offered (gorilla's
// repository has no Autobahn client setup, so nothing is raised). Text arrives as TextMessage and is
// written back as one; gorilla leaves UTF-8 checking to the application and this driver adds none.
type gorilla struct{}

func newLibrary() library { return gorilla{} }

func (gorilla) echo(url string) error {
	conn, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		return err
	}
	defer conn.Close()
	for {
		kind, data, err := conn.ReadMessage()
		if err != nil {
			return nil // the server's close (answered by gorilla's default handler), an error, or a drop
		}
		if err := conn.WriteMessage(kind, data); err != nil {
			return nil
		}
	}
}

func (gorilla) firstText(url string) (string, error) {
	conn, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_, data, err := conn.ReadMessage()
	if err != nil {
		return "", err
	}
	// Read on until the server closes, so the next connection opens after this one has ended.
	for {
		if _, _, err := conn.ReadMessage(); err != nil {
			return string(data), nil
		}
	}
}
