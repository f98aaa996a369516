// Prints the reference table of tests/data/java_number_text.txt:
//   javac -d /tmp tests/support/JavaNumberText.java && java -cp /tmp JavaNumberText > tests/data/java_number_text.txt
// Each line: D <double bits hex> <Double.toString>  or  F <float bits hex> <Float.toString>.
// Run it with the Java that Hive runs on (Java 8 .. 18 print the same; 19+ differ).
import java.util.LinkedHashSet;
import java.util.Random;
import java.util.Set;

public class JavaNumberText {
    public static void main(String[] args) {
        Set<Double> doubles = new LinkedHashSet<>();
        Set<Float> floats = new LinkedHashSet<>();
        double[] named = {Double.MIN_VALUE, Double.MAX_VALUE, Double.MIN_NORMAL, 0.1, 0.2, 0.3,
            1.0 / 3, 2.0 / 3, 1e-3, 1e7, 9999999.999999998, 0.001, 0.0009999999999999998,
            1e23, 2e23, 9.007199254740993e15, 4.35, 100.0, 2.5e-5, 123456789.0, 1e21, 1e22};
        for (double d : named) { doubles.add(d); doubles.add(-d); }
        for (int e = -1074; e <= 1023; e++) doubles.add(Math.scalb(1.0, e));
        for (int e = -324; e <= 308; e++) {
            double d = Double.parseDouble("1e" + e);
            doubles.add(d); doubles.add(Math.nextUp(d)); doubles.add(Math.nextDown(d));
        }
        for (int k = 0; k <= 1000; k++) { doubles.add(k / 10.0); doubles.add(k / 100.0); doubles.add(k / 7.0); }
        for (int e = 40; e <= 64; e++) {
            double d = Math.scalb(1.0, e);
            doubles.add(d - Math.ulp(d)); doubles.add(d + Math.ulp(d)); doubles.add(d * 1.37);
        }
        float[] namedF = {Float.MIN_VALUE, Float.MAX_VALUE, Float.MIN_NORMAL, 0.1f, 0.2f, 0.3f,
            1.0f / 3, 1e-3f, 1e7f, 9999999.0f, 4.7481155E8f, 3.4e38f, 1.0e-10f, 100.0f, 2.5e-5f};
        for (float f : namedF) { floats.add(f); floats.add(-f); }
        for (int e = -149; e <= 127; e++) floats.add(Math.scalb(1.0f, e));
        for (int e = -45; e <= 38; e++) {
            float f = Float.parseFloat("1e" + e);
            floats.add(f); floats.add(Math.nextUp(f)); floats.add(Math.nextDown(f));
        }
        for (int k = 0; k <= 1000; k++) { floats.add(k / 10.0f); floats.add(k / 100.0f); floats.add(k / 7.0f); }
        Random random = new Random(20261205L);
        for (int i = 0; i < 1500; i++) {
            double d = Double.longBitsToDouble(random.nextLong());
            if (!Double.isNaN(d)) doubles.add(d);
            float f = Float.intBitsToFloat(random.nextInt());
            if (!Float.isNaN(f)) floats.add(f);
            doubles.add(random.nextDouble() * Math.pow(10, random.nextInt(40) - 20));
            floats.add((float) (random.nextDouble() * Math.pow(10, random.nextInt(30) - 15)));
        }
        for (int i = 0; i < 300; i++) {  // the band near 1e25 where Java's long arithmetic wraps
            doubles.add(1e24 + random.nextDouble() * 9e25);
            floats.add((float) (1e24 + random.nextDouble() * 9e25));
        }
        StringBuilder out = new StringBuilder();
        for (double d : doubles) {
            out.append("D ").append(Long.toHexString(Double.doubleToRawLongBits(d)))
               .append(' ').append(Double.toString(d)).append('\n');
        }
        for (float f : floats) {
            out.append("F ").append(Integer.toHexString(Float.floatToRawIntBits(f)))
               .append(' ').append(Float.toString(f)).append('\n');
        }
        System.out.print(out);
    }
}
