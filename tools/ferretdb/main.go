// Command ferretdb-embedded runs FerretDB 1.24 (SQLite backend) through its embeddable package.
//
// Why a wrapper: `go install .../cmd/ferretdb@v1.24.2` builds a binary that panics at start because the
// module lacks build/version/version.txt; the embeddable package has no such dependency.
//
// Contract with the Node side (src/store/embedded-server.ts):
//   - flags: -dir DIR (SQLite files), -listen HOST:PORT (port 0 = pick a free one)
//   - prints exactly one line "READY mongodb://HOST:PORT/" on stdout once it accepts connections
//   - exits when stdin reaches EOF, so that it never outlives its parent, even one killed with SIGKILL
//   - exits on SIGTERM / SIGINT
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	dir := flag.String("dir", "data/ferretdb", "directory for the SQLite files")
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on; port 0 picks a free port")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	// WAL with synchronous=NORMAL: no corruption on a crash or power loss, at worst the last transactions before
	// a power cut are lost; FULL fsyncs every commit, which caps a chat burst at a few dozen writes a second.
	synchronous := flag.String("synchronous", "normal", "SQLite synchronous pragma: full or normal")
	flag.Parse()

	abs, err := filepath.Abs(*dir)
	if err != nil {
		fail("resolve dir: %v", err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		fail("create dir: %v", err)
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		level = slog.LevelWarn
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/?_pragma=synchronous(" + *synchronous + ")",
		Logger:    logger,
	})
	if err != nil {
		fail("start: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)

	// The parent holds our stdin open; EOF means it is gone.
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()

	done := make(chan struct{})
	go func() {
		_ = f.Run(ctx)
		close(done)
	}()

	uri := f.MongoDBURI() // blocks until the TCP listener is ready
	waitAccepting(uri)
	fmt.Printf("READY %s\n", uri)

	<-done
}

// waitAccepting dials the listener once so READY is printed only when a client can connect.
func waitAccepting(uri string) {
	host := uri[len("mongodb://"):]
	if i := len(host) - 1; i >= 0 && host[i] == '/' {
		host = host[:i]
	}
	for i := 0; i < 100; i++ {
		c, err := net.DialTimeout("tcp", host, 200*time.Millisecond)
		if err == nil {
			_ = c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "ferretdb-embedded: "+format+"\n", args...)
	os.Exit(1)
}
