/*
 * WebSocket echo server on Jetty 9.4's own WebSocket API (Debian's libjetty9-java and libjetty9-extra-java),
 * used as an external matrix target by @wsmatrix/targets:
 *
 *   java -cp BUILD.jar:JETTY_JARS JettyEcho --host 127.0.0.1 --port 9001 [--max-message BYTES] [--deflate]
 *
 * A WebSocketHandler (the native handler, no servlet context) accepts the upgrade on any path and registers one
 * WebSocketListener per connection, which sends every message back with its type. Pings, pongs and the close
 * handshake are Jetty's. Jetty 9.4 registers permessage-deflate (and the older deflate-frame extensions) by
 * default: --deflate keeps that default; without it the compression extensions are unregistered, so the plain
 * column answers without compression as the other plain columns do.
 */
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.WebSocketListener;
import org.eclipse.jetty.websocket.api.WebSocketPolicy;
import org.eclipse.jetty.websocket.api.extensions.ExtensionFactory;
import org.eclipse.jetty.websocket.server.WebSocketHandler;
import org.eclipse.jetty.websocket.servlet.WebSocketServletFactory;

public final class JettyEcho {
    /** The extensions Jetty 9.4 registers by default that compress (its META-INF/services list). */
    static final List<String> COMPRESSION_EXTENSIONS =
            List.of("permessage-deflate", "deflate-frame", "x-webkit-deflate-frame");

    private JettyEcho() {}

    /** Echoes each message with its type; a blocking send keeps the replies in order and reads paced by writes. */
    public static final class EchoSocket implements WebSocketListener {
        private volatile Session session;

        @Override
        public void onWebSocketConnect(Session session) {
            this.session = session;
        }

        @Override
        public void onWebSocketText(String message) {
            Session s = session;
            if (s == null) return;
            try {
                s.getRemote().sendString(message);
            } catch (IOException closedMeanwhile) {
                // the connection is going away; its close is Jetty's business
            }
        }

        @Override
        public void onWebSocketBinary(byte[] payload, int offset, int length) {
            Session s = session;
            if (s == null) return;
            try {
                s.getRemote().sendBytes(ByteBuffer.wrap(payload, offset, length));
            } catch (IOException closedMeanwhile) {
                // as above
            }
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            session = null;
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            // protocol errors end the connection with Jetty's close code; nothing to add per connection
        }
    }

    private static void usage(String problem) {
        System.err.println("jetty-echo: " + problem
                + " (usage: java JettyEcho --host HOST --port PORT [--max-message BYTES] [--deflate])");
        System.exit(2);
    }

    /** The message and the messages of its causes, on one line (bind errors name the address in the cause). */
    static String oneLine(Throwable t) {
        StringBuilder line = new StringBuilder(String.valueOf(t));
        for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) line.append(": ").append(c);
        return line.toString().replace('\n', ' ');
    }

    public static void main(String[] args) {
        // Jetty's own log, kept to warnings: its INFO lines (version, started connector) are not errors.
        System.setProperty("org.eclipse.jetty.util.log.class", "org.eclipse.jetty.util.log.StdErrLog");
        System.setProperty("org.eclipse.jetty.LEVEL", "WARN");
        System.setProperty("org.eclipse.jetty.util.log.announce", "false");

        String host = "127.0.0.1";
        int port = -1;
        int maxMessage = -1; // Jetty's default (64 KiB) unless given
        boolean deflate = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            try {
                switch (a) {
                    case "--host": host = args[++i]; break;
                    case "--port": port = Integer.parseInt(args[++i]); break;
                    case "--max-message": maxMessage = Integer.parseInt(args[++i]); break;
                    case "--deflate": deflate = true; break;
                    default: usage("unknown argument " + a);
                }
            } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
                usage(a + " needs a number or value");
            }
        }
        if (port < 0 || port > 65535) usage("--port is required (0-65535)");

        final int limit = maxMessage;
        final boolean keepCompression = deflate;
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new WebSocketHandler() {
            @Override
            public void configure(WebSocketServletFactory factory) {
                WebSocketPolicy policy = factory.getPolicy();
                if (limit > 0) {
                    policy.setMaxTextMessageSize(limit);
                    policy.setMaxBinaryMessageSize(limit);
                }
                if (!keepCompression) {
                    // Deprecated in 9.4 only because 10 replaced the API; in 9.4 it is how extensions are removed.
                    @SuppressWarnings("deprecation")
                    ExtensionFactory extensions = factory.getExtensionFactory();
                    for (String name : COMPRESSION_EXTENSIONS) extensions.unregister(name);
                }
                factory.register(EchoSocket.class);
            }
        });
        try {
            server.start();
        } catch (Exception e) {
            System.err.println("jetty-echo: cannot listen on " + host + ":" + port + ": " + oneLine(e));
            System.exit(1);
        }
        try {
            server.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
