package io.idempotent.flink.origin;

import org.apache.flink.api.common.typeinfo.TypeInformation;

/** What the source's type informations share: a single field, neither a tuple nor a key. */
abstract class SingleFieldTypeInfo<T> extends TypeInformation<T> {

    private static final long serialVersionUID = 1L;

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }
}
