package org.schedctl.notify;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay in front of a real SMTP server that counts what the client does: connections opened and the
 * commands it sends (read line by line from the client's side). It can cut a connection when the client sends its
 * Nth RSET on it, as a server dropping a connection mid-batch would.
 */
final class SmtpTap implements AutoCloseable {
    private final ServerSocket listener;
    private final int upstreamPort;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "smtp-tap");
        t.setDaemon(true);
        return t;
    });
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger rsets = new AtomicInteger();
    final AtomicInteger mailFroms = new AtomicInteger();
    /** Cut a connection when the client sends this many RSETs on it; 0 never. */
    volatile int cutAfterRsets;
    final AtomicInteger cuts = new AtomicInteger();

    SmtpTap(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.submit(this::accept);
    }

    int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort));
                sockets.add(client);
                sockets.add(server);
                connections.incrementAndGet();
                InputStream fromServer = server.getInputStream();
                OutputStream toClient = client.getOutputStream();
                threads.submit(() -> pipe(fromServer, toClient, client, server));
                threads.submit(() -> watchClient(client, server));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void watchClient(Socket client, Socket server) {
        int rsetsHere = 0;
        StringBuilder line = new StringBuilder();
        boolean inData = false;
        try (InputStream in = client.getInputStream(); OutputStream out = server.getOutputStream()) {
            int b;
            while ((b = in.read()) >= 0) {
                out.write(b);
                if (b != '\n') {
                    line.append((char) b);
                    continue;
                }
                out.flush();
                String command = line.toString().strip().toUpperCase(java.util.Locale.ROOT);
                line.setLength(0);
                if (inData) {
                    inData = !command.equals(".");
                    continue;
                }
                if (command.equals("DATA")) {
                    inData = true;
                } else if (command.startsWith("MAIL FROM")) {
                    mailFroms.incrementAndGet();
                } else if (command.equals("RSET")) {
                    rsets.incrementAndGet();
                    rsetsHere++;
                    if (cutAfterRsets > 0 && rsetsHere == cutAfterRsets) {
                        cuts.incrementAndGet();
                        client.close();
                        server.close();
                        return;
                    }
                }
            }
        } catch (IOException e) {
            // the connection ended
        }
    }

    private static void pipe(InputStream from, OutputStream to, Socket a, Socket b) {
        try {
            from.transferTo(to);
        } catch (IOException e) {
            // the connection ended
        } finally {
            try {
                a.close();
                b.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : sockets) {
            s.close();
        }
        threads.shutdownNow();
    }
}
