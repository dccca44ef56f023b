package dev.ferrium.bench;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;

import java.io.BufferedOutputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Debezium's PostgreSQL or MySQL connector (connector.class) through the embedded engine, for bench/.
 *
 * Usage: DebeziumRunner ENGINE.properties stdout|kafka [BOOTSTRAP]
 *
 *  - ENGINE.properties: the engine + connector configuration (name, connector.class, offset.storage.*,
 *    database.*, topic.prefix, slot.name, snapshot.mode, max.batch.size, ...), passed as is.
 *  - stdout: every record's JSON value (JsonConverter, schemas enabled) is written to stdout, one per
 *    line, flushed after each batch (the "null sink" twin of ferrium's stdout sink).
 *  - kafka: every record goes to Kafka (KafkaProducer, StringSerializer, acks=all, idempotent, the
 *    topic = record destination), the batch is acknowledged after producer.flush() (at-least-once,
 *    as Debezium Server's Kafka sink does).
 */
public class DebeziumRunner {
    /** The version of the connector's module (its package's Module.version()), or "?". */
    static String connectorVersion(String connectorClass) {
        try {
            String pkg = connectorClass.substring(0, connectorClass.lastIndexOf('.'));
            return (String) Class.forName(pkg + ".Module").getMethod("version").invoke(null);
        } catch (Exception e) {
            return "? (" + e + ")";
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: DebeziumRunner ENGINE.properties stdout|kafka [BOOTSTRAP]");
            System.exit(2);
        }
        Properties props = new Properties();
        try (InputStream in = new FileInputStream(args[0])) {
            props.load(in);
        }
        props.putIfAbsent("converter.schemas.enable", "true");
        String mode = args[1];
        System.err.println("[debezium-runner] debezium " + connectorVersion(props.getProperty("connector.class", ""))
                + " mode=" + mode + " settings=" + props);

        final OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 20);
        final KafkaProducer<String, String> producer;
        if (mode.equals("kafka")) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args.length > 2 ? args[2] : "127.0.0.1:9092");
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            producer = new KafkaProducer<>(p);
        } else {
            producer = null;
        }
        final byte[] nl = "\n".getBytes(StandardCharsets.UTF_8);

        DebeziumEngine<ChangeEvent<String, String>> engine = DebeziumEngine.create(Json.class)
                .using(props)
                .notifying((List<ChangeEvent<String, String>> records,
                            DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer) -> {
                    if (producer != null) {
                        List<Future<RecordMetadata>> futures = new ArrayList<>(records.size());
                        for (ChangeEvent<String, String> r : records) {
                            futures.add(producer.send(new ProducerRecord<>(r.destination(), r.key(), r.value())));
                        }
                        producer.flush();
                        for (Future<RecordMetadata> f : futures) {
                            try {
                                f.get();
                            } catch (Exception e) {
                                throw new InterruptedException("send failed: " + e);
                            }
                        }
                    } else {
                        try {
                            for (ChangeEvent<String, String> r : records) {
                                String v = r.value();
                                out.write((v == null ? "null" : v).getBytes(StandardCharsets.UTF_8));
                                out.write(nl);
                            }
                            out.flush();
                        } catch (java.io.IOException e) {
                            throw new InterruptedException("stdout: " + e);
                        }
                    }
                    for (ChangeEvent<String, String> r : records) {
                        committer.markProcessed(r);
                    }
                    committer.markBatchFinished();
                })
                .using((success, message, error) -> {
                    System.err.println("[debezium-runner] engine stopped: success=" + success + " " + message
                            + (error != null ? " " + error : ""));
                })
                .build();

        ExecutorService executor = Executors.newSingleThreadExecutor();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                engine.close();
                executor.shutdown();
                executor.awaitTermination(10, TimeUnit.SECONDS);
                if (producer != null) producer.close();
                out.flush();
            } catch (Exception e) {
                // shutting down anyway
            }
        }));
        executor.execute(engine);
        executor.awaitTermination(Long.MAX_VALUE, TimeUnit.DAYS);
    }
}
