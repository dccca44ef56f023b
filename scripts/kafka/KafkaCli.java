// Tiny Kafka client CLI used by scripts/services.sh (readiness probe and manual pokes).
// It needs only kafka-clients (already in the broker's lib/), so we don't pull in kafka-tools.
// Run it with Java's single-file source launcher:
//   java -cp "$FERRIUM_SERVICES_DIR/kafka/lib/*" scripts/kafka/KafkaCli.java <bootstrap> <command> [args]
// Commands:
//   ping                              describe the cluster (exit 0 when the broker answers)
//   list                              list topic names
//   create <topic> [partitions]       create a topic (RF 1); ok if it already exists
//   describe <topic>                  print partitions and leaders
//   delete <topic>                    delete a topic
//   produce <topic> <value> [key]     produce one record (acks=all) and print its offset
//   consume <topic> [max] [timeoutMs] print up to max records from the beginning (no group)
//   scram-user <name> <password>      create or update a SCRAM-SHA-512 user
import java.time.Duration;
import java.util.*;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class KafkaCli {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: KafkaCli <bootstrap> ping|list|create|describe|delete|produce|consume [args]");
            System.exit(2);
        }
        String bootstrap = args[0];
        String cmd = args[1];
        String[] rest = Arrays.copyOfRange(args, 2, args.length);
        try {
            switch (cmd) {
                case "ping" -> ping(bootstrap);
                case "list" -> list(bootstrap);
                case "create" -> create(bootstrap, need(rest, 0, "topic"), rest.length > 1 ? Integer.parseInt(rest[1]) : 1);
                case "describe" -> describe(bootstrap, need(rest, 0, "topic"));
                case "delete" -> delete(bootstrap, need(rest, 0, "topic"));
                case "produce" -> produce(bootstrap, need(rest, 0, "topic"), need(rest, 1, "value"), rest.length > 2 ? rest[2] : null);
                case "consume" -> consume(bootstrap, need(rest, 0, "topic"),
                        rest.length > 1 ? Integer.parseInt(rest[1]) : Integer.MAX_VALUE,
                        rest.length > 2 ? Long.parseLong(rest[2]) : 5000L);
                case "scram-user" -> scramUser(bootstrap, need(rest, 0, "name"), need(rest, 1, "password"));
                default -> {
                    System.err.println("unknown command: " + cmd);
                    System.exit(2);
                }
            }
        } catch (ExecutionException e) {
            System.err.println("error: " + e.getCause());
            System.exit(1);
        }
    }

    static String need(String[] a, int i, String what) {
        if (a.length <= i) {
            System.err.println("missing argument: " + what);
            System.exit(2);
        }
        return a[i];
    }

    static Admin admin(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return Admin.create(p);
    }

    static void scramUser(String bootstrap, String name, String password) throws Exception {
        try (Admin a = admin(bootstrap)) {
            var info = new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096);
            a.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(name, info, password)))
                    .all().get(30, TimeUnit.SECONDS);
            System.out.println("scram user " + name + " ready");
        }
    }

    static void ping(String bootstrap) throws Exception {
        try (Admin a = admin(bootstrap)) {
            DescribeClusterResult r = a.describeCluster();
            String id = r.clusterId().get(10, TimeUnit.SECONDS);
            int nodes = r.nodes().get(10, TimeUnit.SECONDS).size();
            System.out.println("cluster.id=" + id + " brokers=" + nodes
                    + " controller=" + r.controller().get(10, TimeUnit.SECONDS).id());
        }
    }

    static void list(String bootstrap) throws Exception {
        try (Admin a = admin(bootstrap)) {
            new TreeSet<>(a.listTopics().names().get()).forEach(System.out::println);
        }
    }

    static void create(String bootstrap, String topic, int partitions) throws Exception {
        try (Admin a = admin(bootstrap)) {
            a.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
            System.out.println("created " + topic);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                System.out.println("exists " + topic);
                return;
            }
            throw e;
        }
    }

    static void describe(String bootstrap, String topic) throws Exception {
        try (Admin a = admin(bootstrap)) {
            TopicDescription d = a.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            System.out.println("topic=" + d.name() + " id=" + d.topicId() + " partitions=" + d.partitions().size());
            d.partitions().forEach(p -> System.out.println("  partition=" + p.partition()
                    + " leader=" + (p.leader() == null ? "none" : p.leader().id())
                    + " isr=" + p.isr().size()));
        }
    }

    static void delete(String bootstrap, String topic) throws Exception {
        try (Admin a = admin(bootstrap)) {
            a.deleteTopics(List.of(topic)).all().get();
            System.out.println("deleted " + topic);
        }
    }

    static void produce(String bootstrap, String topic, String value, String key) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (Producer<String, String> prod = new KafkaProducer<>(p)) {
            RecordMetadata m = prod.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
            System.out.println("produced " + topic + "-" + m.partition() + "@" + m.offset());
        }
    }

    static void consume(String bootstrap, String topic, int max, long timeoutMs) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (Consumer<String, String> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> tps = new ArrayList<>();
            c.partitionsFor(topic, Duration.ofSeconds(10))
                    .forEach(pi -> tps.add(new TopicPartition(topic, pi.partition())));
            c.assign(tps);
            c.seekToBeginning(tps);
            int n = 0;
            long deadline = System.currentTimeMillis() + timeoutMs;
            while (n < max && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    System.out.println(r.partition() + "@" + r.offset() + " key=" + r.key() + " value=" + r.value());
                    if (++n >= max) break;
                }
            }
            System.out.println("consumed " + n);
        }
    }
}
