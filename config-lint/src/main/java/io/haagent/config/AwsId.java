package io.haagent.config;

import java.util.regex.Pattern;

/** An EC2 resource id: a prefix and 8 or 17 lowercase hex digits, the two lengths AWS has issued. */
public record AwsId(String value) {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{8}|[0-9a-f]{17}");

    /** An ENI id such as {@code eni-0123456789abcdef0}. */
    public static AwsId eni(String text) {
        return parse(text, "eni-", "an ENI id", "eni-0123456789abcdef0");
    }

    /** An instance id such as {@code i-0123456789abcdef0}. */
    public static AwsId instance(String text) {
        return parse(text, "i-", "an instance id", "i-0123456789abcdef0");
    }

    private static AwsId parse(String text, String prefix, String what, String example) {
        String s = text.strip();
        if (!s.startsWith(prefix) || !HEX.matcher(s.substring(prefix.length())).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not " + what + "; expected '" + prefix
                    + "' and 8 or 17 lowercase hex digits, like " + example);
        }
        return new AwsId(s);
    }

    @Override
    public String toString() {
        return value;
    }
}
