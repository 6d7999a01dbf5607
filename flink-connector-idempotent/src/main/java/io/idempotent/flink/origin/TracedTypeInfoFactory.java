package io.idempotent.flink.origin;

import io.idempotent.flink.stream.PartitionRecord;
import java.lang.reflect.Type;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;

/**
 * Gives {@link Traced} its own serializer wherever Flink extracts its type (a {@code TypeHint}, a
 * lambda's return type), so that elements are not copied and shipped through Kryo.
 */
@Internal
public final class TracedTypeInfoFactory<T> extends TypeInfoFactory<Traced<T>> {

    @Override
    @SuppressWarnings("unchecked")
    public TypeInformation<Traced<T>> createTypeInfo(
            Type type, Map<String, TypeInformation<?>> genericParameters) {
        TypeInformation<?> value = genericParameters.get("T");
        if (value == null) {
            value = new GenericTypeInfo<>(Object.class);
        } else if (value.getTypeClass() == PartitionRecord.class) {
            value = new PartitionRecordTypeInfo();
        }
        return new TracedTypeInfo<>((TypeInformation<T>) value);
    }

    /** The type information of {@code Traced<T>}: the value's, plus the origin. */
    @Internal
    public static final class TracedTypeInfo<T> extends SingleFieldTypeInfo<Traced<T>> {

        private static final long serialVersionUID = 1L;

        private final TypeInformation<T> valueType;

        public TracedTypeInfo(TypeInformation<T> valueType) {
            this.valueType = Objects.requireNonNull(valueType, "valueType");
        }

        public TypeInformation<T> valueType() {
            return valueType;
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Class<Traced<T>> getTypeClass() {
            return (Class) Traced.class;
        }

        @Override
        public Map<String, TypeInformation<?>> getGenericParameters() {
            return Map.of("T", valueType);
        }

        @Override
        public TypeSerializer<Traced<T>> createSerializer(SerializerConfig config) {
            return new TracedSerializer<>(valueType.createSerializer(config));
        }

        @Override
        public String toString() {
            return "Traced<" + valueType + ">";
        }

        @Override
        public boolean equals(Object obj) {
            return obj instanceof TracedTypeInfo<?> other && valueType.equals(other.valueType);
        }

        @Override
        public int hashCode() {
            return 31 * valueType.hashCode() + 11;
        }

        @Override
        public boolean canEqual(Object obj) {
            return obj instanceof TracedTypeInfo;
        }
    }
}
