import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * DynamoDB Local listening on 127.0.0.1 only. DynamoDBLocal.jar has no host option: its Jetty server is
 * built with a port alone, which binds every interface. This launcher builds the same server from the same
 * command line (ServerRunner.createServerFromCommandLineArgs), sets each connector's host to the loopback
 * address before it starts, and starts it. It skips ServerRunner.main's telemetry set-up, so nothing is
 * sent anywhere. Run with Java's source-file mode (`java -cp <jar and libs> LoopbackDynamoDbLocal.java …`).
 */
public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    for (Connector connector : server.getConnectors()) {
      ((ServerConnector) connector).setHost("127.0.0.1");
    }
    proxy.start();
  }
}
